/** A school year runs from September to June: from September on, the year that starts now. */
export function schoolYearOf(date: Date, timeZone = 'Europe/Rome'): { label: string; startYear: number } {
	const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: 'numeric' }).formatToParts(date);
	const year = Number(parts.find((p) => p.type === 'year')!.value);
	const month = Number(parts.find((p) => p.type === 'month')!.value);
	const startYear = month >= 9 ? year : year - 1;
	return { label: `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`, startYear };
}
