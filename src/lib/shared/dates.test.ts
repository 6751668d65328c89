import { describe, expect, it } from 'vitest';
import { addDays, addMonths, daysBetween, formatDateIt, formatDayLabel, formatLongDate, formatMonth, formatTime, isIsoDate, isIsoMonth, isoWeekday, monthOf, monthRange, zonedDateOf } from './dates.js';

describe('day labels', () => {
	it('reads like the Comune’s list: weekday, two-digit day, month', () => {
		expect(formatDayLabel('2025-11-03')).toBe('Lun 03 Nov');
		expect(formatDayLabel('2026-11-24')).toBe('Mar 24 Nov');
		expect(formatDayLabel('2026-11-28')).toBe('Sab 28 Nov');
		expect(formatDayLabel('2026-11-29')).toBe('Dom 29 Nov');
		expect(formatDayLabel('2027-01-06')).toBe('Mer 06 Gen');
	});

	it('keeps the day on the DST change: a calendar day has no time', () => {
		expect(formatDayLabel('2026-03-29')).toBe('Dom 29 Mar');
		expect(formatDayLabel('2026-10-25')).toBe('Dom 25 Ott');
	});

	it('gives the long form for messages', () => {
		expect(formatLongDate('2026-12-01')).toBe('martedì 1 dicembre 2026');
	});

	it('writes dates as dd/mm/yyyy', () => {
		expect(formatDateIt('2026-12-05')).toBe('05/12/2026');
		expect(formatDateIt('2027-01-10')).toBe('10/01/2027');
	});

	it('names months with a capital', () => {
		expect(formatMonth('2026-11')).toBe('Novembre 2026');
		expect(formatMonth('2027-01')).toBe('Gennaio 2027');
	});
});

describe('times on the Comune’s clock', () => {
	it('shows Rome’s wall clock in winter (UTC+1) and summer (UTC+2), seconds included', () => {
		expect(formatTime('2026-11-24T07:47:12Z')).toBe('08:47:12');
		expect(formatTime(new Date('2026-06-01T07:47:12.999Z'))).toBe('09:47:12');
		expect(formatTime('2026-11-24T23:05:00Z')).toBe('00:05:00');
	});

	it('puts an instant on Rome’s calendar day', () => {
		expect(zonedDateOf('2026-11-24T22:59:59Z')).toBe('2026-11-24');
		expect(zonedDateOf('2026-11-24T23:00:00Z')).toBe('2026-11-25');
		expect(zonedDateOf('2026-11-24T23:00:00Z', 'UTC')).toBe('2026-11-24');
	});
});

describe('calendar arithmetic', () => {
	it('moves across months and years', () => {
		expect(addMonths('2026-11', 1)).toBe('2026-12');
		expect(addMonths('2026-12', 1)).toBe('2027-01');
		expect(addMonths('2027-01', -1)).toBe('2026-12');
		expect(addMonths('2026-11', -23)).toBe('2024-12');
		expect(monthOf('2026-11-24')).toBe('2026-11');
	});

	it('knows the length of each month, leap years included', () => {
		expect(monthRange('2026-11')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
		expect(monthRange('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
		expect(monthRange('2027-02')).toEqual({ from: '2027-02-01', to: '2027-02-28' });
		expect(monthRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
	});

	it('adds days across the DST change and the year end', () => {
		expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
		expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
		expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
		expect(addDays('2026-12-01', -1)).toBe('2026-11-30');
	});

	it('counts days inclusively', () => {
		expect(daysBetween('2026-12-01', '2026-12-05')).toBe(5);
		expect(daysBetween('2026-12-01', '2026-12-01')).toBe(1);
		expect(daysBetween('2026-12-05', '2026-12-01')).toBe(0);
		expect(daysBetween('2026-03-01', '2026-03-31')).toBe(31);
	});

	it('numbers weekdays from Monday', () => {
		expect(isoWeekday('2026-11-23')).toBe(1);
		expect(isoWeekday('2026-11-28')).toBe(6);
		expect(isoWeekday('2026-11-29')).toBe(7);
	});

	it('validates dates and months', () => {
		expect(isIsoDate('2026-02-28')).toBe(true);
		expect(isIsoDate('2026-02-29')).toBe(false);
		expect(isIsoDate('2026-13-01')).toBe(false);
		expect(isIsoDate('26-11-01')).toBe(false);
		expect(isIsoMonth('2026-11')).toBe(true);
		expect(isIsoMonth('2026-00')).toBe(false);
		expect(isIsoMonth('2026-13')).toBe(false);
		expect(isIsoMonth('2026-1')).toBe(false);
		expect(isIsoMonth('9999-12')).toBe(false);
		expect(isIsoMonth('0050-02')).toBe(false);
	});
});
