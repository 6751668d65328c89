import { describe, expect, it } from 'vitest';
import { zonedDate, zonedInstant, zonedParts } from './zoned-time.js';

describe('zonedInstant (Europe/Rome)', () => {
	it.each([
		['2026-11-24', '09:30', '2026-11-24T08:30:00.000Z'],
		['2026-07-01', '09:30', '2026-07-01T07:30:00.000Z'],
		// spring forward: Sun 2026-03-29 02:00 CET → 03:00 CEST
		['2026-03-27', '09:30', '2026-03-27T08:30:00.000Z'],
		['2026-03-29', '09:30', '2026-03-29T07:30:00.000Z'],
		['2026-03-30', '09:30', '2026-03-30T07:30:00.000Z'],
		// fall back: Sun 2026-10-25 03:00 CEST → 02:00 CET
		['2026-10-23', '09:30', '2026-10-23T07:30:00.000Z'],
		['2026-10-25', '09:30', '2026-10-25T08:30:00.000Z'],
		['2026-10-26', '09:30', '2026-10-26T08:30:00.000Z'],
		['2026-03-29', '00:30', '2026-03-28T23:30:00.000Z'],
		['2026-10-25', '00:30', '2026-10-24T22:30:00.000Z'],
		['2026-12-31', '23:59', '2026-12-31T22:59:00.000Z']
	])('%s %s Rome is %s', (date, time, instant) => {
		expect(zonedInstant(date, time, 'Europe/Rome').toISOString()).toBe(instant);
	});

	it('round-trips every 09:30 of 2025–2028 through zonedParts', () => {
		for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2029, 0, 1); t += 86_400_000) {
			const date = new Date(t).toISOString().slice(0, 10);
			const instant = zonedInstant(date, '09:30', 'Europe/Rome');
			expect(zonedParts(instant, 'Europe/Rome')).toMatchObject({ date, time: '09:30:00', minutes: 570 });
		}
	});

	it('works in other zones too', () => {
		expect(zonedInstant('2026-11-24', '09:30', 'UTC').toISOString()).toBe('2026-11-24T09:30:00.000Z');
		expect(zonedInstant('2026-11-24', '09:30', 'America/New_York').toISOString()).toBe('2026-11-24T14:30:00.000Z');
	});
});

describe('zonedDate', () => {
	it('is the Rome calendar day, not the UTC one', () => {
		expect(zonedDate(new Date('2026-11-23T23:30:00Z'), 'Europe/Rome')).toBe('2026-11-24');
		expect(zonedDate(new Date('2026-07-01T22:00:00Z'), 'Europe/Rome')).toBe('2026-07-02');
		expect(zonedDate(new Date('2026-07-01T21:59:59Z'), 'Europe/Rome')).toBe('2026-07-01');
	});
});
