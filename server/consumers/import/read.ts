import { readCsv } from '../../csv/read-csv.js';
import { IMPORT_COLUMNS, REQUIRED_COLUMNS, type ImportColumn } from '../../../src/lib/shared/import-schemas.js';

/*
 * The enrolment file (docs/export-format.md): a header row naming the columns, in any order;
 * columns the import does not know (an enrolment procedure exports many) are ignored and listed.
 */

export const MAX_IMPORT_BYTES = 2.5 * 1024 * 1024;
export const MAX_IMPORT_LINES = 20_000;
export const IMPORT_TOO_LARGE = `Il file è troppo grande: al massimo 2,5 MB e ${MAX_IMPORT_LINES.toLocaleString('it-IT')} righe. Dividilo in più file.`;

export interface ImportLine {
	line: number;
	/** only the columns the file has */
	values: Partial<Record<ImportColumn, string>>;
}

export type ImportFile =
	| { status: 'read'; separator: ';' | ','; columns: ImportColumn[]; ignoredColumns: string[]; lines: ImportLine[] }
	| { status: 'rejected'; message: string };

/** "Codice fiscale alunno", "CODICE_FISCALE_ALUNNO", "codice-fiscale alunno" → codice_fiscale_alunno */
const columnKey = (name: string) =>
	name
		.normalize('NFD')
		.replace(/\p{Diacritic}/gu, '')
		.toLowerCase()
		.trim()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_|_$/g, '');

export function readImportFile(bytes: Uint8Array): ImportFile {
	const file = readCsv(bytes, { maxBytes: MAX_IMPORT_BYTES, maxLines: MAX_IMPORT_LINES + 1, tooLarge: IMPORT_TOO_LARGE });
	if (file.status === 'rejected') return file;
	const [header, ...data] = file.lines;
	const known = new Set<string>(IMPORT_COLUMNS);
	const positions = new Map<ImportColumn, number>();
	const ignoredColumns: string[] = [];
	header.fields.forEach((name, i) => {
		const key = columnKey(name);
		if (known.has(key) && !positions.has(key as ImportColumn)) positions.set(key as ImportColumn, i);
		else if (name) ignoredColumns.push(name);
	});
	const missing = REQUIRED_COLUMNS.filter((c) => !positions.has(c));
	if (missing.length) {
		const found = positions.size ? '' : ' La prima riga deve essere l’intestazione con i nomi delle colonne.';
		return { status: 'rejected', message: `Mancano colonne obbligatorie: ${missing.join(', ')}.${found}` };
	}
	if (!data.length) return { status: 'rejected', message: 'Il file ha solo l’intestazione: nessun alunno da importare.' };
	const columns = [...positions.keys()];
	const lines = data.map(({ line, fields }) => ({ line, values: Object.fromEntries(columns.map((c) => [c, fields[positions.get(c)!] ?? ''])) }));
	return { status: 'read', separator: file.separator, columns, ignoredColumns, lines };
}
