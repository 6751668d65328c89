/*
 * Import files for the tests (unit, integration, e2e), not a test file itself: pupils of the
 * demo's Mazzè with valid, distinct fiscal codes.
 */
import { codiceFiscaleCheckChar } from '../../../src/lib/shared/codice-fiscale.js';

const LETTERS = 'BCDFGHLMNPRSTVZ';

/** The i-th of up to 15^6 distinct valid fiscal codes, born in 2018. */
export function pupilCf(i: number): string {
	let n = i;
	let name = '';
	for (let k = 0; k < 6; k++) {
		name += LETTERS[n % LETTERS.length];
		n = Math.floor(n / LETTERS.length);
	}
	const base = `${name}18A${String((i % 28) + 1).padStart(2, '0')}E379`;
	return base + codiceFiscaleCheckChar(base);
}

export const HEADER = 'codice_fiscale_alunno;cognome;nome;data_nascita;scuola;classe;servizio;fascia_tariffaria;cf_richiedente;nome_richiedente;email_richiedente;dieta';
export const PRIMARIA = 'Scuola primaria "Gianni Rodari"';
export const FASCIA_B = 'Fascia B — ISEE da 8.000 a 20.000 €';

/** n pupils of the primaria in classe "4ª C" (not in the demo: created by the import), one enrolment each. */
export function pupilsFile(n: number, first = 0): string {
	const lines = [HEADER];
	for (let i = first; i < first + n; i++) {
		lines.push([pupilCf(i), `Cognome${i}`, `Nome${i}`, `${String((i % 28) + 1).padStart(2, '0')}/01/2018`, PRIMARIA, '4ª C', 'Mensa', FASCIA_B, 'FRRGNN82H15L219L', 'Giovanni Ferrari', 'giovanni.ferrari@example.com', ''].join(';'));
	}
	return `\uFEFF${lines.join('\r\n')}\r\n`;
}
