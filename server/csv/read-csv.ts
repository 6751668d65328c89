/*
 * Reading the CSV files offices upload (Gestione saldi, the enrolment import): UTF-8 with or
 * without a BOM, `;` (Italian Excel, where the comma is the decimal mark) or `,` between fields,
 * double quotes around a field that holds the separator or a line break. What the fields mean is
 * the caller's.
 */

export interface CsvLine {
	/** 1-based, as a spreadsheet numbers its rows (the header and empty rows count) */
	line: number;
	fields: string[];
}

export type CsvRead = { status: 'read'; separator: ';' | ','; lines: CsvLine[] } | { status: 'rejected'; message: string };

export interface CsvLimits {
	maxBytes: number;
	/** lines with data, the header included */
	maxLines: number;
	/** the message when either limit is passed */
	tooLarge: string;
}

/**
 * Splits the text into records, on the separator and on line breaks outside double quotes: a
 * quoted field may hold the separator ("12,50") or a line break (a multi-line "Note" cell), and
 * `""` inside quotes is one quote. Records are numbered as a spreadsheet numbers its rows, so a
 * reported line is the one the operator sees even after a multi-line cell.
 */
function splitRecords(text: string, separator: string): CsvLine[] | { unclosedAt: number } {
	const records: CsvLine[] = [];
	let fields: string[] = [];
	let field = '';
	let quoted = false;
	let quoteOpenedAt = 0;
	const endRecord = () => {
		fields.push(field.trim());
		records.push({ line: records.length + 1, fields });
		fields = [];
		field = '';
	};
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else if (ch === '\r') {
				field += '\n';
				if (text[i + 1] === '\n') i++;
			} else field += ch;
		} else if (ch === '"' && field.trim() === '') {
			quoted = true;
			quoteOpenedAt = records.length + 1;
			field = '';
		} else if (ch === separator) {
			fields.push(field.trim());
			field = '';
		} else if (ch === '\r' || ch === '\n') {
			if (ch === '\r' && text[i + 1] === '\n') i++;
			endRecord();
		} else field += ch;
	}
	if (quoted) return { unclosedAt: quoteOpenedAt };
	if (field !== '' || fields.length) endRecord();
	return records;
}

/**
 * Rows with nothing in them are skipped but keep their number: blank lines, and the `;;;;` rows
 * Excel writes for a sheet's emptied rows.
 */
export function readCsv(bytes: Uint8Array, limits: CsvLimits): CsvRead {
	if (bytes.byteLength > limits.maxBytes) return { status: 'rejected', message: limits.tooLarge };
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return { status: 'rejected', message: 'Il file non è un CSV in UTF-8: salvalo di nuovo come «CSV UTF-8» e riprova.' };
	}
	text = text.replace(/^\uFEFF/, '');
	const header = text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '';
	// A `;` inside a quoted column name ("Importo; euro") says nothing about the separator.
	const separator = header.replace(/"[^"]*"/g, '').includes(';') ? ';' : ',';
	const records = splitRecords(text, separator);
	if (!Array.isArray(records))
		return { status: 'rejected', message: `Alla riga ${records.unclosedAt} un campo si apre con le virgolette (") e non si chiude più: correggi il file e riprova.` };
	const lines = records.filter((r) => r.fields.some((f) => f !== ''));
	if (!lines.length) return { status: 'rejected', message: 'Il file è vuoto: non contiene nessuna riga.' };
	if (lines.length > limits.maxLines) return { status: 'rejected', message: limits.tooLarge };
	return { status: 'read', separator, lines };
}
