import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NoticeNumberError, formatNoticeNumber, isValidNoticeNumber, noticeNumberFor, parseNoticeNumber } from './notice-number.js';

const MAX_BASE = 10n ** 13n - 1n;
const segregationCode = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
const base = fc.bigInt({ min: 0n, max: MAX_BASE });

describe('noticeNumberFor', () => {
	it('builds the DESIGN.md example: 3010000000000042 mod 93 = 85', () => {
		expect(noticeNumberFor('01', 42)).toEqual({ noticeNumber: '301000000000004285', iuv: '01000000000004285' });
		expect(noticeNumberFor('01', 42n).noticeNumber).toBe('301000000000004285');
	});

	it('zero-pads a check below 10', () => {
		// 3000000000000000 mod 93 = 3
		expect(noticeNumberFor('00', 0).noticeNumber).toBe('300000000000000003');
	});

	it('takes the largest base exactly, beyond what a double holds', () => {
		const { noticeNumber } = noticeNumberFor('99', MAX_BASE);
		expect(noticeNumber.slice(0, 16)).toBe('3999999999999999');
		expect(noticeNumber.slice(16)).toBe(String(3999999999999999n % 93n).padStart(2, '0'));
	});

	it('refuses a bad segregation code', () => {
		for (const code of ['1', '001', 'ab', ' 1', '']) {
			expect(() => noticeNumberFor(code, 1)).toThrow(NoticeNumberError);
		}
		try {
			noticeNumberFor('x1', 1);
		} catch (e) {
			expect((e as NoticeNumberError).code).toBe('BAD_SEGREGATION_CODE');
		}
	});

	it('refuses a base that is negative, too long, fractional or unsafe', () => {
		for (const b of [-1, -1n, MAX_BASE + 1n, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
			expect(() => noticeNumberFor('01', b), String(b)).toThrow(expect.objectContaining({ code: 'BAD_BASE' }));
		}
	});
});

describe('isValidNoticeNumber', () => {
	it('accepts the DESIGN.md example and real notices', () => {
		for (const n of ['301000000000004285', '347164923022221054', '300715700000000032']) {
			expect(isValidNoticeNumber(n), n).toBe(true);
		}
	});

	it('refuses a changed digit, a wrong aux digit, a wrong length or spaces', () => {
		expect(isValidNoticeNumber('301000000000004385')).toBe(false);
		expect(isValidNoticeNumber('301000000000004284')).toBe(false);
		expect(isValidNoticeNumber('001000000000004285')).toBe(false);
		expect(isValidNoticeNumber('30100000000000428')).toBe(false);
		expect(isValidNoticeNumber('3010000000000042850')).toBe(false);
		expect(isValidNoticeNumber('3010 0000 0000 0042 85')).toBe(false);
		expect(isValidNoticeNumber('')).toBe(false);
	});

	it('accepts every generated notice number', () => {
		fc.assert(
			fc.property(segregationCode, base, (code, b) => {
				const { noticeNumber, iuv } = noticeNumberFor(code, b);
				expect(noticeNumber).toMatch(/^3\d{17}$/);
				expect(iuv).toBe(noticeNumber.slice(1));
				expect(iuv.slice(0, 2)).toBe(code);
				expect(isValidNoticeNumber(noticeNumber)).toBe(true);
			}),
			{ numRuns: 2000 }
		);
	});

	it('detects any single-digit change of a valid notice number', () => {
		// 10^k is coprime with 93, so no change of one digit keeps the remainder.
		fc.assert(
			fc.property(segregationCode, base, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 9 }), (code, b, position, shift) => {
				const { noticeNumber } = noticeNumberFor(code, b);
				const digit = (Number(noticeNumber[position]) + shift) % 10;
				const changed = noticeNumber.slice(0, position) + digit + noticeNumber.slice(position + 1);
				expect(changed).not.toBe(noticeNumber);
				expect(isValidNoticeNumber(changed)).toBe(false);
			}),
			{ numRuns: 5000 }
		);
	});
});

describe('formatNoticeNumber and parseNoticeNumber', () => {
	it('prints groups of four', () => {
		expect(formatNoticeNumber('301000000000004285')).toBe('3010 0000 0000 0042 85');
		expect(formatNoticeNumber('347164923022221054')).toBe('3471 6492 3022 2210 54');
	});

	it('reads what a person types or copies', () => {
		expect(parseNoticeNumber('3010 0000 0000 0042 85')).toBe('301000000000004285');
		expect(parseNoticeNumber(' 301000000000004285\n')).toBe('301000000000004285');
		expect(parseNoticeNumber('3010\u00a00000 0000 0042 85')).toBe('301000000000004285');
		expect(parseNoticeNumber('3010 0000 0000 0042 86')).toBeNull();
		expect(parseNoticeNumber('3010-0000-0000-0042-85')).toBeNull();
		expect(parseNoticeNumber('')).toBeNull();
	});

	it('round-trips every generated notice number', () => {
		fc.assert(
			fc.property(segregationCode, base, (code, b) => {
				const { noticeNumber } = noticeNumberFor(code, b);
				expect(parseNoticeNumber(formatNoticeNumber(noticeNumber))).toBe(noticeNumber);
			})
		);
	});
});
