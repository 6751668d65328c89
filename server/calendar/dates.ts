/**
 * Calendar days are ISO strings (YYYY-MM-DD) with no time zone: a school day is the same day
 * everywhere. Arithmetic goes through UTC midnight, where no day is 23 or 25 hours long.
 */
export type IsoDate = string;

const DAY_MS = 86_400_000;

export function parseIsoDate(date: IsoDate): number {
	const [y, m, d] = date.split('-').map(Number);
	return Date.UTC(y, m - 1, d);
}

export function formatIsoDate(utcMs: number): IsoDate {
	return new Date(utcMs).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
	return formatIsoDate(parseIsoDate(date) + days * DAY_MS);
}

/** 1 = Monday … 7 = Sunday (ISO 8601). */
export function isoWeekday(date: IsoDate): number {
	return ((new Date(parseIsoDate(date)).getUTCDay() + 6) % 7) + 1;
}

export function* eachDay(from: IsoDate, to: IsoDate): Generator<IsoDate> {
	for (let t = parseIsoDate(from), end = parseIsoDate(to); t <= end; t += DAY_MS) yield formatIsoDate(t);
}

export function isValidIsoDate(date: string): boolean {
	return /^\d{4}-\d{2}-\d{2}$/.test(date) && formatIsoDate(parseIsoDate(date)) === date;
}
