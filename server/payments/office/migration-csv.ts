import { parseEuroToCents } from '../../../src/lib/shared/money.js';
import { readCsv, type CsvLine } from '../../csv/read-csv.js';

/*
 * The opening-balance file of Gestione saldi, as the previous systems export it: three columns
 * (codice fiscale, gruppo di servizi, saldo), `;` or `,` between them, a header row or not,
 * UTF-8 with or without a BOM (read by server/csv/read-csv.ts). What the lines mean is balance-migration.ts.
 */

export const MAX_MIGRATION_BYTES = 2 * 1024 * 1024;
export const MAX_MIGRATION_LINES = 20_000;

export type CsvFile = { status: 'read'; separator: ';' | ','; header: boolean; lines: CsvLine[] } | { status: 'rejected'; message: string };

export const TOO_LARGE = `Il file è troppo grande: al massimo ${MAX_MIGRATION_BYTES / 1024 / 1024} MB e ${MAX_MIGRATION_LINES.toLocaleString('it-IT')} righe. Dividilo in più file.`;

/** "-12,50", "1.234,56", "30.5", "−7" → cents; null when it is not an amount. Negative balances are debts carried over. */
export function parseSignedEuro(text: string): number | null {
	const t = text.trim().replace(/^\u2212/, '-');
	const negative = t.startsWith('-');
	const cents = parseEuroToCents(negative ? t.slice(1) : t);
	return cents === null ? null : negative ? -cents : cents;
}

/** A first row is a header when it names columns rather than holding a fiscal code and an amount. */
function isHeader(fields: string[]): boolean {
	return !/^[A-Za-z0-9]{16}$/.test(fields[0] ?? '') && parseSignedEuro(fields[2] ?? '') === null;
}

export function readMigrationCsv(bytes: Uint8Array): CsvFile {
	// One line more than the limit: the header, when there is one.
	const file = readCsv(bytes, { maxBytes: MAX_MIGRATION_BYTES, maxLines: MAX_MIGRATION_LINES + 1, tooLarge: TOO_LARGE });
	if (file.status === 'rejected') return file;
	const header = isHeader(file.lines[0].fields);
	const data = header ? file.lines.slice(1) : file.lines;
	if (data.length > MAX_MIGRATION_LINES) return { status: 'rejected', message: TOO_LARGE };
	return { status: 'read', separator: file.separator, header, lines: data };
}
