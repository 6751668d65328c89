import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	codiceFiscaleCheckChar,
	decodeOmocodia,
	isValidCodiceFiscale,
	isValidCodiceFiscaleEnte,
	normalizeCodiceFiscale
} from './codice-fiscale.js';

const OMOCODIA = 'LMNPQRSTUV';
/** 0-based indices of the 1-based positions 7, 8, 10, 11, 13, 14, 15. */
const NUMERIC_INDICES = [6, 7, 9, 10, 12, 13, 14];
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Replaces the digits at the given numeric indices with omocodia letters and recomputes the check character. */
function omocode(cf: string, indices: number[]): string {
	const chars = cf.slice(0, 15).split('');
	for (const i of indices) chars[i] = OMOCODIA[Number(chars[i])];
	const first15 = chars.join('');
	return first15 + codiceFiscaleCheckChar(first15);
}

/** Same first 15 characters, every check letter except the right one. */
function wrongCheckChars(cf: string): string[] {
	return [...LETTERS].filter((c) => c !== cf[15]).map((c) => cf.slice(0, 15) + c);
}

function withCheck(first15: string): string {
	return first15 + codiceFiscaleCheckChar(first15);
}

const DEMO_CFS = [
	'RSSMRA85C52L219F',
	'RSSLCU17E04E379I',
	'RSSSFO21P60E379I',
	'FRRNNA18T45E379T',
	'FRRGNN82H15L219L',
	'BNCTMS19A01D612D',
	'BNCMRA79D10C663Z'
];

describe('isValidCodiceFiscale', () => {
	it('accepts the DESIGN.md example', () => {
		expect(isValidCodiceFiscale('LVLDAA85T50G702B')).toBe(true);
	});

	it.each(DEMO_CFS)('accepts the demo fiscal code %s', (cf) => {
		expect(isValidCodiceFiscale(cf)).toBe(true);
	});

	it('computes the documented check character', () => {
		expect(codiceFiscaleCheckChar('LVLDAA85T50G702')).toBe('B');
		expect(codiceFiscaleCheckChar('RSSMRA85C52L219')).toBe('F');
	});

	it('accepts lower case and spaces', () => {
		expect(isValidCodiceFiscale('lvldaa85t50g702b')).toBe(true);
		expect(isValidCodiceFiscale('LVL DAA 85T50 G702B')).toBe(true);
		expect(isValidCodiceFiscale('  rssmra85c52l219f  ')).toBe(true);
		expect(isValidCodiceFiscale('RssMra 85c52 L219f')).toBe(true);
		expect(normalizeCodiceFiscale(' rss mra85c52l219f ')).toBe('RSSMRA85C52L219F');
	});

	it('rejects every wrong check character', () => {
		for (const cf of ['LVLDAA85T50G702B', ...DEMO_CFS]) {
			for (const wrong of wrongCheckChars(cf)) expect(isValidCodiceFiscale(wrong), wrong).toBe(false);
		}
		expect(isValidCodiceFiscale('LVLDAA85T50G702C')).toBe(false);
	});

	it('rejects a digit as check character', () => {
		expect(isValidCodiceFiscale('LVLDAA85T50G7021')).toBe(false);
	});

	it('rejects wrong lengths', () => {
		expect(isValidCodiceFiscale('')).toBe(false);
		expect(isValidCodiceFiscale('LVLDAA85T50G702')).toBe(false);
		expect(isValidCodiceFiscale('LVLDAA85T50G702BB')).toBe(false);
		expect(isValidCodiceFiscale('XLVLDAA85T50G702B')).toBe(false);
		expect(isValidCodiceFiscale('00856930102')).toBe(false);
	});

	it('rejects wrong shapes even when the check character matches', () => {
		// Each candidate gets its correct check character, so only the shape can reject it.
		const badShapes = [
			'LVLDA185T50G702', // digit among the name letters
			'LVLDAAA5T50G702', // non-omocodia letter in the year
			'LVLDAA85Z50G702', // Z is not a month letter
			'LVLDAA85F50G702', // F is not a month letter
			'LVLDAA85T5AG702', // A is not an omocodia letter
			'LVLDAA85T501702', // digit where the cadastral letter goes
			'LVLDAA85T50G7K2', // K is not an omocodia letter
			'LVLDAA85T50G70-', // punctuation
			'LVLDAÀ85T50G702' // accented letter
		];
		for (const first15 of badShapes) expect(isValidCodiceFiscale(withCheck(first15)), first15).toBe(false);
	});

	it('accepts every omocodia variant and decodes it back to the original', () => {
		for (const original of ['LVLDAA85T50G702B', 'RSSMRA85C52L219F', 'BNCTMS19A01D612D']) {
			// All 2^7 subsets of the numeric positions.
			for (let mask = 1; mask < 1 << NUMERIC_INDICES.length; mask++) {
				const indices = NUMERIC_INDICES.filter((_, bit) => mask & (1 << bit));
				const variant = omocode(original, indices);
				expect(variant).not.toBe(original);
				expect(isValidCodiceFiscale(variant), variant).toBe(true);
				expect(decodeOmocodia(variant)).toBe(original);
				expect(decodeOmocodia(variant.toLowerCase())).toBe(original);
			}
		}
	});

	it('knows the usual omocodia example', () => {
		// The last digit replaced: 2 → N.
		const variant = omocode('LVLDAA85T50G702B', [14]);
		expect(variant.slice(0, 15)).toBe('LVLDAA85T50G70N');
		expect(isValidCodiceFiscale(variant)).toBe(true);
		expect(variant[15]).not.toBe('B');
		// The check covers the letters: keeping the original check letter makes the variant wrong.
		expect(isValidCodiceFiscale('LVLDAA85T50G70NB')).toBe(false);
	});

	it('decodeOmocodia leaves a code without omocodia unchanged', () => {
		expect(decodeOmocodia('LVLDAA85T50G702B')).toBe('LVLDAA85T50G702B');
		expect(decodeOmocodia('rssmra85c52l219f')).toBe('RSSMRA85C52L219F');
	});

	it('decodeOmocodia does not touch letters outside the numeric positions', () => {
		// "L" and "V" in the name and "L" as cadastral letter are omocodia letters, but not in numeric positions.
		const original = withCheck('LVLDAA85T50L219');
		const variant = omocode(original, [7]);
		expect(variant.slice(0, 15)).toBe('LVLDAA8RT50L219');
		expect(decodeOmocodia(variant)).toBe(original);
	});

	describe('property: random well-formed codes', () => {
		const letter = fc.constantFrom(...LETTERS);
		const month = fc.constantFrom(...'ABCDEHLMPRST');
		const digitOrOmocodia = fc.constantFrom(...'0123456789', ...OMOCODIA);
		const first15 = fc
			.tuple(
				fc.array(letter, { minLength: 6, maxLength: 6 }),
				fc.array(digitOrOmocodia, { minLength: 2, maxLength: 2 }),
				month,
				fc.array(digitOrOmocodia, { minLength: 2, maxLength: 2 }),
				letter,
				fc.array(digitOrOmocodia, { minLength: 3, maxLength: 3 })
			)
			.map(([name, year, m, day, place, number]) => [...name, ...year, m, ...day, place, ...number].join(''));

		it('validates with its check character and with no other', () => {
			fc.assert(
				fc.property(first15, letter, (f15, other) => {
					const cf = withCheck(f15);
					expect(cf).toHaveLength(16);
					expect(isValidCodiceFiscale(cf)).toBe(true);
					expect(isValidCodiceFiscale(cf.toLowerCase())).toBe(true);
					fc.pre(other !== cf[15]);
					expect(isValidCodiceFiscale(f15 + other)).toBe(false);
				}),
				{ numRuns: 500 }
			);
		});

		it('every wrong check letter is rejected', () => {
			fc.assert(
				fc.property(first15, (f15) => {
					const cf = withCheck(f15);
					for (const wrong of wrongCheckChars(cf)) expect(isValidCodiceFiscale(wrong)).toBe(false);
				}),
				{ numRuns: 200 }
			);
		});

		it('decodeOmocodia gives a valid code with digits in every numeric position', () => {
			fc.assert(
				fc.property(first15, (f15) => {
					const decoded = decodeOmocodia(withCheck(f15));
					expect(isValidCodiceFiscale(decoded)).toBe(true);
					for (const i of NUMERIC_INDICES) expect(decoded[i]).toMatch(/[0-9]/);
					// Decoding is idempotent and does not change the other positions.
					expect(decodeOmocodia(decoded)).toBe(decoded);
					for (let i = 0; i < 15; i++) if (!NUMERIC_INDICES.includes(i)) expect(decoded[i]).toBe(f15[i]);
				}),
				{ numRuns: 300 }
			);
		});
	});
});

describe('isValidCodiceFiscaleEnte', () => {
	it.each(['00856930102', '80184430587', '84001550015', '80002280511'])('accepts %s', (cf) => {
		expect(isValidCodiceFiscaleEnte(cf)).toBe(true);
	});

	it('rejects every changed last digit', () => {
		for (const cf of ['00856930102', '80184430587', '84001550015']) {
			for (let d = 0; d <= 9; d++) {
				const changed = cf.slice(0, 10) + d;
				if (changed !== cf) expect(isValidCodiceFiscaleEnte(changed), changed).toBe(false);
			}
		}
	});

	it('rejects a changed digit in an even (doubled) and in an odd position', () => {
		expect(isValidCodiceFiscaleEnte('01856930102')).toBe(false);
		expect(isValidCodiceFiscaleEnte('10856930102')).toBe(false);
	});

	it('rejects 10 and 12 digits', () => {
		expect(isValidCodiceFiscaleEnte('0085693010')).toBe(false);
		expect(isValidCodiceFiscaleEnte('008569301020')).toBe(false);
		expect(isValidCodiceFiscaleEnte('000856930102')).toBe(false);
		expect(isValidCodiceFiscaleEnte('')).toBe(false);
	});

	it('rejects letters', () => {
		expect(isValidCodiceFiscaleEnte('0085693010A')).toBe(false);
		expect(isValidCodiceFiscaleEnte('A0856930102')).toBe(false);
		expect(isValidCodiceFiscaleEnte('IT00856930102')).toBe(false);
		expect(isValidCodiceFiscaleEnte('LVLDAA85T50G702B')).toBe(false);
		expect(isValidCodiceFiscaleEnte('00856 30102')).toBe(false);
	});

	it('property: exactly one check digit fits any 10 leading digits', () => {
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...'0123456789'), { minLength: 10, maxLength: 10 }), (digits) => {
				const head = digits.join('');
				const valid = [...'0123456789'].filter((d) => isValidCodiceFiscaleEnte(head + d));
				expect(valid).toHaveLength(1);
			}),
			{ numRuns: 300 }
		);
	});
});
