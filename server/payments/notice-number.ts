/*
 * pagoPA notice numbers (numero avviso), DESIGN.md §5: aux digit 3, then the IUV of 17 digits:
 * the ente's segregation code (2), a base the ente chooses (13) and a check of 2 digits equal
 * to the 16-digit number aux + segregation + base mod 93. Only aux digit 3 is built or accepted:
 * it is the one form whose IUV carries the segregation code and this check.
 */

export const AUX_DIGIT = '3';
const BASE_DIGITS = 13;
const MAX_BASE = 10n ** BigInt(BASE_DIGITS) - 1n;

export class NoticeNumberError extends Error {
	constructor(
		readonly code: 'BAD_SEGREGATION_CODE' | 'BAD_BASE',
		message: string
	) {
		super(message);
		this.name = 'NoticeNumberError';
	}
}

export interface NoticeNumber {
	/** 18 digits, no spaces: what Checkout, GPD and the QR code carry. */
	noticeNumber: string;
	/** The 17 digits after the aux digit: GPD's `iuv`, the receipt's `creditorReferenceId`. */
	iuv: string;
}

/** (aux + segregation + base) mod 93, as two digits; the arithmetic is in BigInt, 16 digits overflow a double. */
function checkDigits(first16: string): string {
	return String(BigInt(first16) % 93n).padStart(2, '0');
}

export function noticeNumberFor(segregationCode: string, base: bigint | number): NoticeNumber {
	if (!/^\d{2}$/.test(segregationCode)) {
		throw new NoticeNumberError('BAD_SEGREGATION_CODE', `Codice di segregazione non valido: "${segregationCode}" (servono 2 cifre).`);
	}
	if (typeof base === 'number' && !Number.isSafeInteger(base)) {
		throw new NoticeNumberError('BAD_BASE', `Base del numero avviso non valida: ${base} (serve un intero).`);
	}
	const b = BigInt(base);
	if (b < 0n || b > MAX_BASE) {
		throw new NoticeNumberError('BAD_BASE', `Base del numero avviso fuori intervallo: ${b} (0 … ${MAX_BASE}).`);
	}
	const first16 = AUX_DIGIT + segregationCode + b.toString().padStart(BASE_DIGITS, '0');
	const noticeNumber = first16 + checkDigits(first16);
	return { noticeNumber, iuv: noticeNumber.slice(1) };
}

/** True for 18 digits, aux digit 3 and the right mod-93 check; nothing else (no spaces: parse first). */
export function isValidNoticeNumber(n: string): boolean {
	if (!/^3\d{17}$/.test(n)) return false;
	return checkDigits(n.slice(0, 16)) === n.slice(16);
}

/** "301000000000004285" → "3010 0000 0000 0042 85", as printed on the avviso. */
export function formatNoticeNumber(n: string): string {
	return n.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** What a person types or copies ("3010 0000 0000 0042 85") → the 18 digits, or null when it is not a valid notice number. */
export function parseNoticeNumber(text: string): string | null {
	const digits = text.replace(/[\s\u00a0]/g, '');
	return isValidNoticeNumber(digits) ? digits : null;
}
