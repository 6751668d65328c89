import type { IsoDate } from './dates.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
	let f = formatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit'
		});
		formatters.set(timeZone, f);
	}
	return f;
}

/** The wall-clock date and time in `timeZone` at an instant. */
export function zonedParts(instant: Date, timeZone: string): { date: IsoDate; time: string; minutes: number } {
	const p = Object.fromEntries(formatter(timeZone).formatToParts(instant).map((x) => [x.type, x.value]));
	return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

export function zonedDate(instant: Date, timeZone: string): IsoDate {
	return zonedParts(instant, timeZone).date;
}

/** Offset of `timeZone` from UTC at an instant, in ms (Rome: +1 h in winter, +2 h in summer). */
function offsetAt(utcMs: number, timeZone: string): number {
	const p = Object.fromEntries(formatter(timeZone).formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
	const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
	return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows `date` `time` ("09:30").
 * Cutoffs are morning times, never inside the 02:00–03:00 DST gap or repeat.
 */
export function zonedInstant(date: IsoDate, time: string, timeZone: string): Date {
	const [y, m, d] = date.split('-').map(Number);
	const [hh, mm] = time.split(':').map(Number);
	const naive = Date.UTC(y, m - 1, d, hh, mm);
	let guess = naive - offsetAt(naive, timeZone);
	// A second pass settles days when the offset at the first guess differs (DST change).
	guess = naive - offsetAt(guess, timeZone);
	return new Date(guess);
}
