import { formatDateIt } from '../../src/lib/shared/dates.js';
import { formatCents } from '../../src/lib/shared/money.js';
import type { StatementDocument } from './statement-pdf.js';

const csvCents = (cents: number) => formatCents(cents, { symbol: false, grouping: false });

function field(text: string): string {
	return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// A cell starting with = + - @ is a formula to a spreadsheet: text we did not write stays text.
const asText = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/**
 * The estratto conto as Italian Excel opens it with a double click: UTF-8 with a BOM (or "è" and
 * "€" turn to mojibake), ";" between fields, decimal comma, CRLF, one header row.
 */
export function statementCsv(s: StatementDocument): string {
	const lines = [
		['Data', 'Descrizione', 'Importo (€)', 'Saldo (€)'],
		[formatDateIt(s.from), 'Saldo iniziale', '', csvCents(s.openingCents)],
		...s.rows.map((r) => [formatDateIt(r.valueDate), asText(r.description), csvCents(r.amountCents), csvCents(r.balanceCents)]),
		[formatDateIt(s.to), 'Saldo finale', '', csvCents(s.closingCents)]
	];
	return `\uFEFF${lines.map((l) => l.map(field).join(';')).join('\r\n')}\r\n`;
}
