import { describe, expect, it } from 'vitest';
import { cutoffInstant, cutoffPassedMessage, isBeforeCutoff, todayOf } from './cutoff.js';

const rome930 = { cutoffTime: '09:30', timezone: 'Europe/Rome' };
const rome1000 = { cutoffTime: '10:00', timezone: 'Europe/Rome' };

describe('cutoffInstant', () => {
	it.each([
		['winter day', '2026-11-24', '2026-11-24T08:30:00.000Z'],
		['summer day', '2026-06-08', '2026-06-08T07:30:00.000Z'],
		['Friday before spring forward', '2026-03-27', '2026-03-27T08:30:00.000Z'],
		['Sunday of spring forward', '2026-03-29', '2026-03-29T07:30:00.000Z'],
		['Monday after spring forward', '2026-03-30', '2026-03-30T07:30:00.000Z'],
		['Friday before fall back', '2026-10-23', '2026-10-23T07:30:00.000Z'],
		['Sunday of fall back', '2026-10-25', '2026-10-25T08:30:00.000Z'],
		['Monday after fall back', '2026-10-26', '2026-10-26T08:30:00.000Z']
	])('09:30 Rome on a %s (%s) is %s', (_, date, instant) => {
		expect(cutoffInstant(rome930, date).toISOString()).toBe(instant);
	});

	it.each([
		['2026-11-24', '2026-11-24T09:00:00.000Z'],
		['2026-06-08', '2026-06-08T08:00:00.000Z'],
		['2026-03-30', '2026-03-30T08:00:00.000Z'],
		['2026-10-26', '2026-10-26T09:00:00.000Z']
	])('a Comune with cutoff 10:00: %s → %s', (date, instant) => {
		expect(cutoffInstant(rome1000, date).toISOString()).toBe(instant);
	});
});

describe('isBeforeCutoff', () => {
	it('is strict: the cutoff millisecond itself is too late', () => {
		const at = cutoffInstant(rome930, '2026-10-26').getTime();
		expect(isBeforeCutoff(rome930, '2026-10-26', new Date(at - 1))).toBe(true);
		expect(isBeforeCutoff(rome930, '2026-10-26', new Date(at))).toBe(false);
		expect(isBeforeCutoff(rome930, '2026-10-26', new Date(at + 1))).toBe(false);
	});

	it('the previous evening is before, the next day is after', () => {
		expect(isBeforeCutoff(rome930, '2026-11-24', new Date('2026-11-23T22:00:00Z'))).toBe(true);
		expect(isBeforeCutoff(rome930, '2026-11-24', new Date('2026-11-25T06:00:00Z'))).toBe(false);
	});
});

it('message and today', () => {
	expect(cutoffPassedMessage(rome930)).toBe("Oltre l'orario limite (09:30): contatta l'ufficio scuola");
	expect(cutoffPassedMessage(rome1000)).toBe("Oltre l'orario limite (10:00): contatta l'ufficio scuola");
	expect(todayOf(rome930, new Date('2026-11-23T23:30:00Z'))).toBe('2026-11-24');
});
