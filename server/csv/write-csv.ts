import { formatCents } from '../../src/lib/shared/money.js';

/*
 * CSV files we hand out, as Italian Excel opens them with a double click: UTF-8 with a BOM (or
 * "è" and "€" turn to mojibake), ";" between fields, decimal comma, CRLF, one header row.
 */

export const BOM = '\uFEFF';

/**
 * testo: free text, quoted when needed; intero: an integer (ids, cents); euro: cents written as
 * euros with a decimal comma and no grouping ("-1234,50"); data: a calendar day, YYYY-MM-DD;
 * istante: epoch milliseconds written as ISO 8601 in UTC.
 */
export type CellType = 'testo' | 'intero' | 'euro' | 'data' | 'istante';
export type CellValue = string | number | null;

// A cell starting with = + - @ is a formula to a spreadsheet: text we did not write stays text.
const quoted = (text: string) => (/[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

export function csvCell(type: CellType, value: CellValue): string {
	if (value === null) return '';
	switch (type) {
		case 'intero':
			return String(value);
		case 'euro':
			return formatCents(Number(value), { symbol: false, grouping: false });
		case 'istante':
			return new Date(Number(value)).toISOString();
		case 'data':
			return quoted(String(value));
		case 'testo': {
			const text = String(value);
			return quoted(/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
		}
	}
}

export function csvRow(types: readonly CellType[], values: readonly CellValue[]): string {
	return `${types.map((t, i) => csvCell(t, values[i] ?? null)).join(';')}\r\n`;
}
