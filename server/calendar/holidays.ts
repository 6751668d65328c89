import { addDays, type IsoDate } from './dates.js';

/** Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): IsoDate {
	const a = year % 19;
	const b = Math.floor(year / 100);
	const c = year % 100;
	const d = Math.floor(b / 4);
	const e = b % 4;
	const f = Math.floor((b + 8) / 25);
	const g = Math.floor((b - f + 1) / 3);
	const h = (19 * a + b - d - g + 15) % 30;
	const i = Math.floor(c / 4);
	const k = c % 4;
	const l = (32 + 2 * e + 2 * i - h - k) % 7;
	const m = Math.floor((a + 11 * h + 22 * l) / 451);
	const month = Math.floor((h + l - 7 * m + 114) / 31);
	const day = ((h + l - 7 * m + 114) % 31) + 1;
	return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const FIXED: [string, string][] = [
	['01-01', 'Capodanno'],
	['01-06', 'Epifania'],
	['04-25', 'Festa della Liberazione'],
	['05-01', 'Festa del Lavoro'],
	['06-02', 'Festa della Repubblica'],
	['08-15', 'Ferragosto'],
	['11-01', 'Ognissanti'],
	['12-08', 'Immacolata Concezione'],
	['12-25', 'Natale'],
	['12-26', 'Santo Stefano']
];

const cache = new Map<number, Map<IsoDate, string>>();

/** Italy's national holidays of a year, known without typing: date → name. */
export function nationalHolidays(year: number): Map<IsoDate, string> {
	let holidays = cache.get(year);
	if (!holidays) {
		holidays = new Map(FIXED.map(([md, name]) => [`${year}-${md}`, name]));
		holidays.set(addDays(easterSunday(year), 1), "Lunedì dell'Angelo");
		cache.set(year, holidays);
	}
	return holidays;
}

export function nationalHoliday(date: IsoDate): string | undefined {
	return nationalHolidays(Number(date.slice(0, 4))).get(date);
}
