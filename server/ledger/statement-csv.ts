import { formatDateIt } from '../../src/lib/shared/dates.js';
import { BOM, csvCell } from '../csv/write-csv.js';
import type { StatementDocument } from './statement-pdf.js';

const csvCents = (cents: number) => csvCell('euro', cents);
const text = (value: string) => csvCell('testo', value);

/**
 * The estratto conto as Italian Excel opens it with a double click: UTF-8 with a BOM (or "è" and
 * "€" turn to mojibake), ";" between fields, decimal comma, CRLF, one header row.
 */
export function statementCsv(s: StatementDocument): string {
	const lines = [
		['Data', 'Descrizione', 'Importo (€)', 'Saldo (€)'].map(text),
		[formatDateIt(s.from), text('Saldo iniziale'), '', csvCents(s.openingCents)],
		...s.rows.map((r) => [formatDateIt(r.valueDate), text(r.description), csvCents(r.amountCents), csvCents(r.balanceCents)]),
		[formatDateIt(s.to), text('Saldo finale'), '', csvCents(s.closingCents)]
	];
	return `${BOM}${lines.map((l) => l.join(';')).join('\r\n')}\r\n`;
}
