/*
 * Reading the CSV files offices upload (Gestione saldi, the enrolment import): UTF-8 with or
 * without a BOM, `;` (Italian Excel, where the comma is the decimal mark) or `,` between fields,
 * double quotes around a field that holds the separator. What the fields mean is the caller's.
 */

export interface CsvLine {
	/** 1-based, as a spreadsheet numbers it (the header and empty lines count) */
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

/** Blank lines are skipped but keep their number, so a reported line is the one the spreadsheet shows. */
export function readCsv(bytes: Uint8Array, limits: CsvLimits): CsvRead {
	if (bytes.byteLength > limits.maxBytes) return { status: 'rejected', message: limits.tooLarge };
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return { status: 'rejected', message: 'Il file non è un CSV in UTF-8: salvalo di nuovo come «CSV UTF-8» e riprova.' };
	}
	const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
	const numbered = raw.map((t, i) => ({ line: i + 1, text: t })).filter((l) => l.text.trim() !== '');
	if (!numbered.length) return { status: 'rejected', message: 'Il file è vuoto: non contiene nessuna riga.' };
	if (numbered.length > limits.maxLines) return { status: 'rejected', message: limits.tooLarge };
	const separator = numbered[0].text.includes(';') ? ';' : ',';
	return { status: 'read', separator, lines: numbered.map((l) => ({ line: l.line, fields: splitLine(l.text, separator) })) };
}
