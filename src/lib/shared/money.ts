/** Integer cents to Italian text: 123456 → "1.234,56 €"; for CSV cells { symbol: false, grouping: false } → "1234,56". */
export function formatCents(cents: number, opts: { symbol?: boolean; grouping?: boolean } = {}): string {
	// it-IT leaves 4-digit numbers ungrouped ("1234,56"); money here always shows the dot, except in
	// CSV files (grouping: false), where Italian Excel could read "1.234" as a date or a decimal.
	const sign = cents < 0 ? '-' : '';
	const abs = Math.abs(cents);
	const digits = Math.floor(abs / 100).toString();
	const whole = opts.grouping === false ? digits : digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
	const text = `${sign}${whole},${String(abs % 100).padStart(2, '0')}`;
	return opts.symbol === false ? text : `${text} €`;
}

/** "10", "10,5", "1.234,56", "10.50" → cents; null when it is not an amount. */
export function parseEuroToCents(input: string): number | null {
	const text = input.trim().replace(/\s|€/g, '');
	const m = /^(\d{1,3}(?:\.\d{3})+|\d+)(?:[,.](\d{1,2}))?$/.exec(text);
	if (!m) return null;
	const whole = Number(m[1].replace(/\./g, ''));
	const fraction = Number((m[2] ?? '0').padEnd(2, '0'));
	return whole * 100 + fraction;
}
