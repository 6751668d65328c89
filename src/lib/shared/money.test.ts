import { describe, expect, it } from 'vitest';
import { formatCents, parseEuroToCents } from './money.js';

describe('formatCents', () => {
	it.each([
		[123456, '1.234,56 €'],
		[0, '0,00 €'],
		[-250, '-2,50 €'],
		[100000000, '1.000.000,00 €'],
		[5, '0,05 €'],
		[-5, '-0,05 €'],
		[100, '1,00 €'],
		[99999, '999,99 €'],
		[100000, '1.000,00 €'],
		[102099, '1.020,99 €']
	])('formats %i as %s', (cents, text) => {
		expect(formatCents(cents)).toBe(text);
	});

	it('leaves out the symbol on request', () => {
		expect(formatCents(123456, { symbol: false })).toBe('1.234,56');
		expect(formatCents(-250, { symbol: false })).toBe('-2,50');
	});

	it('leaves out the grouping dot for CSV cells', () => {
		expect(formatCents(123456, { symbol: false, grouping: false })).toBe('1234,56');
		expect(formatCents(-100000000, { symbol: false, grouping: false })).toBe('-1000000,00');
	});
});

describe('parseEuroToCents', () => {
	it.each([
		['10', 1000],
		['10,5', 1050],
		['10,50', 1050],
		['1.234,56', 123456],
		['10.50', 1050],
		[' 7 € ', 700],
		['0,05', 5],
		['1.000.000', 100000000],
		['1234,56', 123456]
	])('parses %j as %i cents', (text, cents) => {
		expect(parseEuroToCents(text)).toBe(cents);
	});

	it.each(['abc', '1,234', '', '   ', '€', '10,', ',50', '-5', '10,5,5', '1.23.456', '10,505'])('refuses %j', (text) => {
		expect(parseEuroToCents(text)).toBeNull();
	});

	it('round-trips with formatCents', () => {
		for (const cents of [0, 1, 99, 100, 12345, 123456, 100000000]) {
			expect(parseEuroToCents(formatCents(cents))).toBe(cents);
		}
	});
});
