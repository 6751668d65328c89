/**
 * Codice fiscale checks (DESIGN.md §5). Persons: 16 characters with a check letter,
 * omocodia allowed. Enti: 11 digits with a Luhn-style check digit.
 */

const ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
// Omocodia swaps digits for these letters (index = digit) in the numeric positions.
const OMOCODIA_LETTERS = 'LMNPQRSTUV';
const NUMERIC_POSITIONS = [6, 7, 9, 10, 12, 13, 14];
const SHAPE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

function charValue(ch: string): number {
	const code = ch.charCodeAt(0);
	return code >= 48 && code <= 57 ? code - 48 : code - 65;
}

export function normalizeCodiceFiscale(input: string): string {
	return input.replace(/\s+/g, '').toUpperCase();
}

export function codiceFiscaleCheckChar(first15: string): string {
	let sum = 0;
	for (let i = 0; i < 15; i++) {
		const v = charValue(first15[i]);
		// Positions are 1-based in the specification: index 0 is "odd".
		sum += i % 2 === 0 ? ODD_VALUES[v] : v;
	}
	return String.fromCharCode(65 + (sum % 26));
}

export function isValidCodiceFiscale(input: string): boolean {
	const cf = normalizeCodiceFiscale(input);
	if (!SHAPE.test(cf)) return false;
	return codiceFiscaleCheckChar(cf.slice(0, 15)) === cf[15];
}

/** The same person's code with omocodia letters turned back into digits. */
export function decodeOmocodia(input: string): string {
	const chars = normalizeCodiceFiscale(input).split('');
	for (const p of NUMERIC_POSITIONS) {
		const i = OMOCODIA_LETTERS.indexOf(chars[p]);
		if (i >= 0) chars[p] = String(i);
	}
	const base = chars.slice(0, 15).join('');
	return base + codiceFiscaleCheckChar(base);
}

export function isValidCodiceFiscaleEnte(input: string): boolean {
	const cf = input.trim();
	if (!/^\d{11}$/.test(cf)) return false;
	let sum = 0;
	for (let i = 0; i < 10; i++) {
		let d = cf.charCodeAt(i) - 48;
		if (i % 2 === 1) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
	}
	return (10 - (sum % 10)) % 10 === cf.charCodeAt(10) - 48;
}
