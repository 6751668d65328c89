import { z } from 'zod';
import { codiceFiscale, email, SetDietLabelInput } from './schemas.js';
import { isIsoDate } from './dates.js';

/*
 * The enrolment import (Ufficio → Importa iscrizioni): the columns of its CSV file, each line
 * checked by the same schema on the server that the page documents, and the progress poll.
 * docs/export-format.md describes the file for the Comune's enrolment procedure.
 */

const required = (label: string, max: number) =>
	z
		.string()
		.trim()
		.min(1, { error: `${label}: campo obbligatorio` })
		.max(max, { error: `${label}: al massimo ${max} caratteri` });

/** "31/12/2018", "1/2/2019", "31-12-2018", "31.12.2018" or "2018-12-31" → ISO; two-digit years are ambiguous. */
export function parseItalianDate(text: string): string | null {
	const t = text.trim();
	if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return isIsoDate(t) ? t : null;
	const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
	if (!m) return null;
	const iso = `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
	return isIsoDate(iso) ? iso : null;
}

const birthDate = z
	.string()
	.trim()
	.min(1, { error: 'Data di nascita: campo obbligatorio' })
	.transform((t, ctx) => {
		const iso = parseItalianDate(t);
		if (!iso || iso < '1900-01-01') {
			ctx.addIssue({ code: 'custom', message: `Data di nascita non valida: «${t}» (usa GG/MM/AAAA oppure AAAA-MM-GG)` });
			return z.NEVER;
		}
		return iso;
	});

/** An optional column: absent from the file → undefined (left as it is); present but empty → null. */
const optional = <T extends z.ZodType>(schema: T) =>
	z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), schema.nullable().optional());

export const ImportRow = z.object({
	codice_fiscale_alunno: codiceFiscale,
	cognome: required('Cognome', 80),
	nome: required('Nome', 80),
	data_nascita: birthDate,
	scuola: required('Scuola', 120),
	classe: required('Classe', 40),
	servizio: required('Servizio', 80),
	fascia_tariffaria: required('Fascia tariffaria', 120),
	cf_richiedente: codiceFiscale,
	nome_richiedente: optional(required('Nome del richiedente', 160)),
	email_richiedente: optional(email),
	dieta: optional(SetDietLabelInput.shape.dietLabel)
});
export type ImportRow = z.infer<typeof ImportRow>;
export type ImportColumn = keyof typeof ImportRow.shape;

export const IMPORT_COLUMNS = Object.keys(ImportRow.shape) as ImportColumn[];
export const OPTIONAL_COLUMNS: readonly ImportColumn[] = ['nome_richiedente', 'email_richiedente', 'dieta'];
export const REQUIRED_COLUMNS = IMPORT_COLUMNS.filter((c) => !OPTIONAL_COLUMNS.includes(c));

/** Italian names of the columns for the per-line report. */
export const COLUMN_LABELS: Record<ImportColumn, string> = {
	codice_fiscale_alunno: 'codice fiscale alunno',
	cognome: 'cognome',
	nome: 'nome',
	data_nascita: 'data di nascita',
	scuola: 'scuola',
	classe: 'classe',
	servizio: 'servizio',
	fascia_tariffaria: 'fascia tariffaria',
	cf_richiedente: 'codice fiscale richiedente',
	nome_richiedente: 'nome richiedente',
	email_richiedente: 'e-mail richiedente',
	dieta: 'dieta'
};

/** The page names its upload with a random id and polls this while the server reads and writes. */
export const ImportProgressInput = z.strictObject({ jobId: z.uuid({ error: 'Identificativo dell’importazione non valido' }) });
