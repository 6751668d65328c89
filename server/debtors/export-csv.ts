import { formatDateIt, zonedDateOf } from '../../src/lib/shared/dates.js';
import type { Debtor } from './list.js';
import { BOM, csvCell } from '../csv/write-csv.js';

const textCell = (v: string) => csvCell('testo', v);
const euros = (cents: number) => csvCell('euro', cents);

export const DEBTORS_CSV_HEADER = [
	'Codice fiscale alunno',
	'Cognome alunno',
	'Nome alunno',
	'Scuola',
	'Classe',
	'Servizio',
	'Codice fiscale richiedente',
	'Richiedente',
	'Importo dovuto (€)',
	'In debito dal',
	'Giorni di debito',
	'Solleciti inviati',
	'Ultimo sollecito'
];

/**
 * Morosi for the Comune's collection procedure, as Italian Excel opens them: UTF-8 with a BOM, ";"
 * between fields, the amount owed as a positive number with a decimal comma, dates dd/mm/yyyy.
 */
export function debtorsCsv(debtors: Debtor[], timeZone: string): string {
	const rows = [DEBTORS_CSV_HEADER.join(';')];
	for (const d of debtors) {
		rows.push(
			[
				textCell(d.codiceFiscale),
				textCell(d.familyName),
				textCell(d.givenName),
				textCell(d.schoolName ?? ''),
				textCell(d.className ?? ''),
				textCell(d.groupName),
				textCell(d.applicantFiscalCode),
				textCell(d.applicantName),
				euros(-d.balanceCents),
				formatDateIt(d.since),
				d.daysInDebt,
				d.remindersSent,
				d.lastReminderAt ? formatDateIt(zonedDateOf(d.lastReminderAt, timeZone)) : ''
			].join(';')
		);
	}
	return `${BOM}${rows.join('\r\n')}\r\n`;
}
