import type { CellType } from '../csv/write-csv.js';

/*
 * What a Comune takes with it when it leaves (docs/export-format.md): one CSV per table. Each
 * query pages by its first column, the row id (`> ?` … `LIMIT ?`), and names the Comune.
 */

export interface ExportColumn {
	name: string;
	type: CellType;
}

export interface ExportTable {
	file: string;
	title: string;
	description: string;
	columns: ExportColumn[];
	/** parameters: tenant id, the last id already written, page size */
	sql: string;
}

const cols = (spec: string): ExportColumn[] =>
	spec
		.trim()
		.split(/\s+/)
		.map((c) => {
			const [name, type] = c.split(':');
			return { name, type: type as CellType };
		});

export const exportTables: ExportTable[] = [
	{
		file: 'alunni.csv',
		title: 'Alunni',
		description: 'Un alunno per riga, con la classe attuale e la dieta.',
		columns: cols('alunno_id:intero codice_fiscale:testo cognome:testo nome:testo data_nascita:data scuola:testo classe:testo anno_scolastico:testo dieta:testo creato_il:istante'),
		sql: `SELECT c.id, c.codice_fiscale, c.family_name, c.given_name, c.birth_date, s.name, k.name, y.label, c.diet_label, c.created_at
			FROM consumers c LEFT JOIN school_classes k ON k.id = c.school_class_id LEFT JOIN schools s ON s.id = k.school_id
			LEFT JOIN school_years y ON y.id = k.school_year_id
			WHERE c.tenant_id = ? AND c.id > ? ORDER BY c.id LIMIT ?`
	},
	{
		file: 'iscrizioni.csv',
		title: 'Iscrizioni',
		description: 'Un’iscrizione per riga: alunno, servizio, anno scolastico, fascia tariffaria, richiedente, stato e date.',
		columns: cols(
			'iscrizione_id:intero alunno_id:intero codice_fiscale_alunno:testo servizio:testo gruppo_servizi:testo anno_scolastico:testo fascia_tariffaria:testo cf_richiedente:testo nome_richiedente:testo email_richiedente:testo stato:testo dal:data al:data creata_il:istante'
		),
		sql: `SELECT e.id, e.consumer_id, c.codice_fiscale, sv.name, g.name, y.label, b.name, e.applicant_fiscal_code, e.applicant_name, e.applicant_email, e.status, e.from_date, e.to_date, e.created_at
			FROM enrolments e JOIN consumers c ON c.id = e.consumer_id JOIN services sv ON sv.id = e.service_id
			JOIN service_groups g ON g.id = sv.service_group_id JOIN school_years y ON y.id = e.school_year_id JOIN tariff_bands b ON b.id = e.tariff_band_id
			WHERE e.tenant_id = ? AND e.id > ? ORDER BY e.id LIMIT ?`
	},
	{
		file: 'saldi.csv',
		title: 'Saldi',
		description: 'Il saldo di ogni conto prepagato (alunno × gruppo di servizi), anche negativo.',
		columns: cols('conto_id:intero alunno_id:intero codice_fiscale:testo cognome:testo nome:testo gruppo_servizi:testo saldo_centesimi:intero saldo_euro:euro'),
		sql: `SELECT a.id, a.consumer_id, c.codice_fiscale, c.family_name, c.given_name, g.name, a.balance_cents, a.balance_cents
			FROM ledger_accounts a JOIN consumers c ON c.id = a.consumer_id JOIN service_groups g ON g.id = a.service_group_id
			WHERE a.tenant_id = ? AND a.kind = 'prepaid' AND a.id > ? ORDER BY a.id LIMIT ?`
	},
	{
		file: 'movimenti.csv',
		title: 'Movimenti',
		description: 'Ogni registrazione della contabilità a partita doppia, anche sui conti del Comune: le righe di una transazione sommano a zero.',
		columns: cols(
			'movimento_id:intero transazione_id:intero tipo_transazione:testo riferimento:testo registrata_il:istante data_valuta:data conto_id:intero tipo_conto:testo alunno_id:intero codice_fiscale:testo gruppo_servizi:testo importo_centesimi:intero importo_euro:euro descrizione:testo pasto_id:intero'
		),
		sql: `SELECT p.id, p.transaction_id, t.kind, t.external_id, t.created_at, p.value_date, p.account_id, a.kind, a.consumer_id, c.codice_fiscale, g.name, p.amount_cents, p.amount_cents, p.description, p.meal_id
			FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id JOIN ledger_accounts a ON a.id = p.account_id
			LEFT JOIN consumers c ON c.id = a.consumer_id LEFT JOIN service_groups g ON g.id = a.service_group_id
			WHERE p.tenant_id = ? AND p.id > ? ORDER BY p.id LIMIT ?`
	}
];

export function exportTable(file: string): ExportTable | null {
	return exportTables.find((t) => t.file === file) ?? null;
}
