/*
 * Italian dates for the pages, pure and shared by server and browser. Calendar days are ISO
 * strings (YYYY-MM-DD) with no time zone; instants are shown on the Comune's wall clock
 * (Europe/Rome unless a tenant says otherwise), never on the phone's own time zone.
 */

export type IsoDate = string;
/** A calendar month, "2026-11". */
export type IsoMonth = string;

export const ROME = 'Europe/Rome';
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
	let f = formatters.get(key);
	if (!f) {
		f = new Intl.DateTimeFormat('it-IT', options);
		formatters.set(key, f);
	}
	return f;
}

function partsOf(f: Intl.DateTimeFormat, at: Date): Record<string, string> {
	return Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
}

/** Noon UTC of a calendar day, formatted in UTC: a school day is the same day everywhere. */
function noonOf(date: IsoDate): Date {
	const [y, m, d] = date.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d, 12));
}

const capitalize = (s: string) => s.charAt(0).toLocaleUpperCase('it-IT') + s.slice(1);

export function isIsoDate(text: string): boolean {
	return /^\d{4}-\d{2}-\d{2}$/.test(text) && noonOf(text).toISOString().startsWith(text);
}

/** A month this century: a canteen has no business in year 9999, and the date maths behind a month page would not survive it. */
export function isIsoMonth(text: string): boolean {
	return /^20\d{2}-(0[1-9]|1[0-2])$/.test(text);
}

/** "2026-11-03" → "Mar 03 Nov", as on the Comune's list of days. */
export function formatDayLabel(date: IsoDate): string {
	const p = partsOf(formatter('day', { weekday: 'short', day: '2-digit', month: 'short', timeZone: 'UTC' }), noonOf(date));
	return `${capitalize(p.weekday.replace('.', ''))} ${p.day} ${capitalize(p.month.replace('.', ''))}`;
}

/** "2026-11-03" → "martedì 3 novembre 2026", for messages and screen readers. */
export function formatLongDate(date: IsoDate): string {
	return formatter('long', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(noonOf(date));
}

/** "2026-11-03" → "03/11/2026". */
export function formatDateIt(date: IsoDate): string {
	const [y, m, d] = date.split('-');
	return `${d}/${m}/${y}`;
}

/** An instant → its wall-clock time, "08:47:12". */
export function formatTime(instant: Date | string, timeZone = ROME): string {
	const p = partsOf(formatter(`time:${timeZone}`, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone }), new Date(instant));
	return `${p.hour}:${p.minute}:${p.second}`;
}

/** An instant → the calendar day on the wall clock of `timeZone`. */
export function zonedDateOf(instant: Date | string, timeZone = ROME): IsoDate {
	const p = partsOf(formatter(`date:${timeZone}`, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }), new Date(instant));
	return `${p.year}-${p.month}-${p.day}`;
}

/** "2026-11" → "Novembre 2026". */
export function formatMonth(month: IsoMonth): string {
	return capitalize(formatter('month', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(noonOf(`${month}-01`)));
}

export function monthOf(date: IsoDate): IsoMonth {
	return date.slice(0, 7);
}

export function addMonths(month: IsoMonth, n: number): IsoMonth {
	const [y, m] = month.split('-').map(Number);
	const index = y * 12 + (m - 1) + n;
	return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The first and last day of a month. */
export function monthRange(month: IsoMonth): { from: IsoDate; to: IsoDate } {
	const [y, m] = month.split('-').map(Number);
	const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
	return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

export function addDays(date: IsoDate, days: number): IsoDate {
	return new Date(noonOf(date).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included; 0 when `to` comes first. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
	return Math.max(0, Math.round((noonOf(to).getTime() - noonOf(from).getTime()) / DAY_MS) + 1);
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: IsoDate): number {
	return ((noonOf(date).getUTCDay() + 6) % 7) + 1;
}

export const WEEKDAYS_SHORT = ['Lun', 'Mar', 'Mer', 'Gio', 'Ven', 'Sab', 'Dom'] as const;
export const WEEKDAYS_LONG = ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'] as const;

/** Every day from `from` to `to`, both included. */
export function* eachDay(from: IsoDate, to: IsoDate): Generator<IsoDate> {
	for (let day = from; day <= to; day = addDays(day, 1)) yield day;
}
