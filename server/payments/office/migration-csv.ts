import { parseEuroToCents } from '../../../src/lib/shared/money.js';

/*
 * The opening-balance file of Gestione saldi, as the previous systems export it: three columns
 * (codice fiscale, gruppo di servizi, saldo), `;` or `,` between them, a header row or not,
 * UTF-8 with or without a BOM. Only the reading is here; what the lines mean is balance-migration.ts.
 */

export const MAX_MIGRATION_BYTES = 2 * 1024 * 1024;
export const MAX_MIGRATION_LINES = 20_000;

export interface CsvLine {
	/** 1-based, as a spreadsheet numbers it (the header and empty lines count) */
	line: number;
	fields: string[];
}

export type CsvFile = { status: 'read'; separator: ';' | ','; header: boolean; lines: CsvLine[] } | { status: 'rejected'; message: string };

export const TOO_LARGE = `Il file è troppo grande: al massimo ${MAX_MIGRATION_BYTES / 1024 / 1024} MB e ${MAX_MIGRATION_LINES.toLocaleString('it-IT')} righe. Dividilo in più file.`;

/** "-12,50", "1.234,56", "30.5", "−7" → cents; null when it is not an amount. Negative balances are debts carried over. */
export function parseSignedEuro(text: string): number | null {
	const t = text.trim().replace(/^\u2212/, '-');
	const negative = t.startsWith('-');
	const cents = parseEuroToCents(negative ? t.slice(1) : t);
	return cents === null ? null : negative ? -cents : cents;
}

/** Splits one line on the separator; double quotes protect a separator inside a field ("12,50"). */
function splitLine(text: string, separator: string): string[] {
	const fields: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else field += ch;
		} else if (ch === '"' && field.trim() === '') {
			quoted = true;
			field = '';
		} else if (ch === separator) {
			fields.push(field.trim());
			field = '';
		} else field += ch;
	}
	fields.push(field.trim());
	return fields;
}

/** A first row is a header when it names columns rather than holding a fiscal code and an amount. */
function isHeader(fields: string[]): boolean {
	return !/^[A-Za-z0-9]{16}$/.test(fields[0] ?? '') && parseSignedEuro(fields[2] ?? '') === null;
}

export function readMigrationCsv(bytes: Uint8Array): CsvFile {
	if (bytes.byteLength > MAX_MIGRATION_BYTES) return { status: 'rejected', message: TOO_LARGE };
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return { status: 'rejected', message: 'Il file non è un CSV in UTF-8: salvalo di nuovo come «CSV UTF-8» e riprova.' };
	}
	const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
	const numbered = raw.map((t, i) => ({ line: i + 1, text: t })).filter((l) => l.text.trim() !== '');
	if (!numbered.length) return { status: 'rejected', message: 'Il file è vuoto: non contiene nessuna riga.' };
	if (numbered.length > MAX_MIGRATION_LINES + 1) return { status: 'rejected', message: TOO_LARGE };
	// Excel in Italy writes `;` (the comma is the decimal mark); other exports write `,`.
	const separator = numbered[0].text.includes(';') ? ';' : ',';
	const lines = numbered.map((l) => ({ line: l.line, fields: splitLine(l.text, separator) }));
	const header = isHeader(lines[0].fields);
	const data = header ? lines.slice(1) : lines;
	if (data.length > MAX_MIGRATION_LINES) return { status: 'rejected', message: TOO_LARGE };
	return { status: 'read', separator, header, lines: data };
}
