import { describe, expect, it } from 'vitest';
import { addDays, isoWeekday } from './dates.js';
import { easterSunday, nationalHoliday, nationalHolidays } from './holidays.js';

describe('Easter', () => {
	it.each([
		[2024, '2024-03-31'],
		[2025, '2025-04-20'],
		[2026, '2026-04-05'],
		[2027, '2027-03-28'],
		[2038, '2038-04-25']
	])('Easter Sunday %i is %s, a Sunday, and Easter Monday the day after is a national holiday', (year, easter) => {
		expect(easterSunday(year)).toBe(easter);
		expect(isoWeekday(easter)).toBe(7);
		expect(nationalHoliday(addDays(easter, 1))).toBe("Lunedì dell'Angelo");
		expect(isoWeekday(addDays(easter, 1))).toBe(1);
		// Easter Sunday itself is not on the list (a Sunday has no service anyway), nor is Tuesday.
		expect(nationalHoliday(addDays(easter, 2))).toBeUndefined();
	});

	it('2038: Easter Monday 04-26 and the Liberazione on Easter Sunday 04-25 are both holidays', () => {
		const h = nationalHolidays(2038);
		expect(h.get('2038-04-25')).toBe('Festa della Liberazione');
		expect(h.get('2038-04-26')).toBe("Lunedì dell'Angelo");
	});
});

describe('national holidays', () => {
	it('lists exactly the eleven holidays of 2026', () => {
		expect([...nationalHolidays(2026).entries()].sort()).toEqual([
			['2026-01-01', 'Capodanno'],
			['2026-01-06', 'Epifania'],
			['2026-04-06', "Lunedì dell'Angelo"],
			['2026-04-25', 'Festa della Liberazione'],
			['2026-05-01', 'Festa del Lavoro'],
			['2026-06-02', 'Festa della Repubblica'],
			['2026-08-15', 'Ferragosto'],
			['2026-11-01', 'Ognissanti'],
			['2026-12-08', 'Immacolata Concezione'],
			['2026-12-25', 'Natale'],
			['2026-12-26', 'Santo Stefano']
		]);
	});

	it('has eleven holidays every year (ten when Easter Monday is 25 April, as in 2011), all in that year', () => {
		for (let year = 2000; year <= 2100; year++) {
			const h = nationalHolidays(year);
			const coincide = addDays(easterSunday(year), 1) === `${year}-04-25`;
			expect(h.size, String(year)).toBe(coincide ? 10 : 11);
			for (const date of h.keys()) expect(date.startsWith(`${year}-`)).toBe(true);
		}
		expect(nationalHolidays(2011).has('2011-04-25')).toBe(true);
		expect(nationalHoliday('2026-11-02')).toBeUndefined();
		expect(nationalHoliday('2026-12-24')).toBeUndefined();
		expect(nationalHoliday('2027-01-06')).toBe('Epifania');
	});
});
