import { z } from 'zod';
import { email, isoDate } from './schemas.js';

/*
 * Inputs of the set-up pages: a Comune and its settings (platform admin), invitations, and the
 * schools, classes and school years of a Comune (ufficio scuola). Strict objects, Italian messages.
 */

const id = z.number({ error: 'Identificativo non valido' }).int().positive();

const text = (label: string, max: number) =>
	z
		.string({ error: `${label}: campo obbligatorio` })
		.trim()
		.min(1, { error: `${label}: campo obbligatorio` })
		.max(max, { error: `${label}: al massimo ${max} caratteri` });

const optionalText = (label: string, max: number) => z.string({ error: `${label}: testo non valido` }).trim().max(max, { error: `${label}: al massimo ${max} caratteri` });

/** A stored secret comes back masked; an empty field keeps it, a new value replaces it. */
const secret = (label: string) =>
	z
		.string({ error: `${label}: testo non valido` })
		.trim()
		.max(200, { error: `${label}: al massimo 200 caratteri` })
		.regex(/^[\x21-\x7e]*$/, { error: `${label}: non sono ammessi spazi né lettere accentate` });

const optionalUrl = (label: string) =>
	z.union([z.literal(''), z.url({ protocol: /^https?$/, error: `${label}: indirizzo non valido` }).max(300, { error: `${label}: al massimo 300 caratteri` })], {
		error: `${label}: indirizzo non valido`
	});

/** Partita IVA check digit, which the codice fiscale of an ente shares. */
export function isValidCodiceFiscaleEnte(cf: string): boolean {
	if (!/^\d{11}$/.test(cf)) return false;
	let sum = 0;
	for (let i = 0; i < 10; i++) {
		let d = Number(cf[i]);
		if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return (10 - (sum % 10)) % 10 === Number(cf[10]);
}

export const tenantSlugInput = z
	.string({ error: 'Indirizzo: campo obbligatorio' })
	.trim()
	.min(3, { error: 'Indirizzo: almeno 3 caratteri' })
	.max(60, { error: 'Indirizzo: al massimo 60 caratteri' })
	.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'Indirizzo: non valido, usa solo lettere minuscole, cifre e trattini (es. chiusi-della-verna)' })
	.refine((s) => !['admin', 'api', 'nuovo'].includes(s), { error: 'Indirizzo: non disponibile (parola riservata), scegline un altro' });

/** The office's number as Comuni print it on their notices, extension included: «011/9835901 int.1». */
const officePhone = z
	.string({ error: 'Telefono: testo non valido' })
	.trim()
	.max(30, { error: 'Telefono: al massimo 30 caratteri' })
	.regex(/^(\+?[0-9][0-9 ./-]{5,18}(\s*(int\.?|interno)\s*[0-9]{1,5})?)?$/i, { error: 'Telefono: usa cifre, spazi, / e il prefisso +; un interno come «int. 1»' });

const TenantSettingsFields = {
	name: text('Nome del Comune', 80),
	province: z
		.string({ error: 'Provincia: campo obbligatorio' })
		.trim()
		.toUpperCase()
		.regex(/^[A-Z]{2}$/, { error: 'Provincia: la sigla di due lettere (es. TO)' }),
	codiceFiscaleEnte: z
		.string({ error: 'Codice fiscale: campo obbligatorio' })
		.trim()
		.max(11, { error: 'Codice fiscale: deve avere 11 cifre' })
		.refine(isValidCodiceFiscaleEnte, { error: 'Codice fiscale: 11 cifre con la cifra di controllo corretta' }),
	contactOffice: text('Ufficio', 80),
	contactName: optionalText('Referente', 80),
	contactPhone: officePhone,
	contactEmail: z.union([z.literal(''), email], { error: 'E-mail: indirizzo non valido' }),
	cutoffTime: z.string({ error: 'Ora limite: campo obbligatorio' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'Ora limite: non valida, usa HH:MM (es. 09:30)' }),
	spidEnabled: z.boolean({ error: 'SPID: valore non valido' }),
	cieEnabled: z.boolean({ error: 'CIE: valore non valido' }),
	oidcIssuer: optionalUrl('Issuer'),
	oidcClientId: optionalText('Client ID', 200),
	oidcClientSecret: secret('Client secret'),
	segregationCode: z.string({ error: 'Segregazione: campo obbligatorio' }).regex(/^\d{2}$/, { error: 'Segregazione: deve avere due cifre (es. 01)' }),
	pagopaMode: z.enum(['simulator', 'live'], { error: 'Modalità pagoPA non valida' }),
	checkoutBaseUrl: optionalUrl('URL Checkout'),
	gpdBaseUrl: optionalUrl('URL GPD'),
	checkoutSubscriptionKey: secret('Chiave di Checkout'),
	gpdSubscriptionKey: secret('Chiave di GPD'),
	iban: z
		.string({ error: 'IBAN: testo non valido' })
		.trim()
		.transform((s) => s.replace(/\s+/g, '').toUpperCase())
		.pipe(z.string().regex(/^(IT\d{2}[A-Z]\d{10}[0-9A-Z]{12})?$/, { error: 'IBAN: un IBAN italiano di 27 caratteri' })),
	transferCategory: optionalText('Tassonomia', 60),
	receiptSecret: secret('Segreto ricevute'),
	lisMode: z.enum(['simulator', 'live'], { error: 'Modalità Punto LIS non valida' }),
	lisSecret: secret('Segreto Punto LIS'),
	letterInstructions: optionalText('Istruzioni', 2000)
};

export const CreateTenantInput = z.strictObject({ slug: tenantSlugInput, ...TenantSettingsFields });
export type CreateTenantInput = z.infer<typeof CreateTenantInput>;

/** The slug stays: it is in the letters already printed and in the families' bookmarks. */
export const UpdateTenantInput = z.strictObject({ tenantId: id, ...TenantSettingsFields });
export type UpdateTenantInput = z.infer<typeof UpdateTenantInput>;
export type TenantSettingsInput = Omit<CreateTenantInput, 'slug'>;

export const LOGO_MAX_BYTES = 100 * 1024;

/** A data: URL as FileReader makes it; the server decides the type from the bytes, not from the label. */
export const SetLogoInput = z.strictObject({
	tenantId: id,
	logo: z.union([
		z.literal(''),
		z
			.string({ error: 'Logo: file non valido' })
			.max(Math.ceil((LOGO_MAX_BYTES * 4) / 3) + 100, { error: 'Logo: al massimo 100 KB' })
			.regex(/^data:[\w.+-]+\/[\w.+-]+;base64,[A-Za-z0-9+/]+=*$/, { error: 'Logo: scegli un file PNG o SVG' })
	], { error: 'Logo: scegli un file PNG o SVG' })
});

export const TenantListInput = z.strictObject({
	page: z.number({ error: 'Pagina non valida' }).int().min(1, { error: 'Pagina non valida' }).max(100_000, { error: 'Pagina non valida' }),
	sort: z.enum(['name', 'slug', 'createdAt'], { error: 'Ordinamento non valido' }),
	dir: z.enum(['asc', 'desc'], { error: 'Verso non valido' }),
	q: z.string({ error: 'Ricerca non valida' }).trim().max(60, { error: 'Testo di ricerca troppo lungo (al massimo 60 caratteri)' })
});
export type TenantListInput = z.infer<typeof TenantListInput>;

export const TenantIdInput = z.strictObject({ tenantId: id });

const person = {
	givenName: text('Nome', 80),
	familyName: text('Cognome', 80),
	email
};
export const InviteOperatorInput = z.strictObject({ tenantId: id, ...person });
export const SecureStaffInput = z.strictObject({
	tenantId: id,
	userId: z.string({ error: 'Persona: campo obbligatorio' }).min(1, { error: 'Persona: campo obbligatorio' }).max(64, { error: 'Persona: identificativo non valido' }),
	action: z.enum(['end_sessions', 'reset_second_factor'], { error: 'Azione: valore non valido' })
});
export const InviteSchoolStaffInput = z.strictObject({ schoolId: id, ...person });

const inviteToken = z.string({ error: 'Link non valido' }).regex(/^[a-z2-7]{32}$/, { error: 'Link non valido o incompleto: aprilo di nuovo dall’e-mail' });
export const InvitationInput = z.strictObject({ token: inviteToken });
export const AcceptInvitationInput = z.strictObject({
	token: inviteToken,
	password: z.string({ error: 'Password: campo obbligatorio' }).min(1, { error: 'Password: campo obbligatorio' }).max(256, { error: 'Password: al massimo 256 caratteri' })
});

// ——— Schools, classes, school years ———

export const schoolLevels = ['infanzia', 'primaria', 'secondaria'] as const;
export const schoolLevelLabels: Record<(typeof schoolLevels)[number], string> = {
	infanzia: 'Scuola dell’infanzia',
	primaria: 'Scuola primaria',
	secondaria: 'Scuola secondaria di I grado'
};

const schoolYearLabel = z
	.string({ error: 'Anno scolastico: campo obbligatorio' })
	.trim()
	.regex(/^\d{4}\/\d{2}$/, { error: 'Anno scolastico: non valido, scrivilo come 2026/27' })
	.refine((l) => (Number(l.slice(0, 4)) + 1) % 100 === Number(l.slice(5)), { error: 'Anno scolastico: non valido, i due anni devono essere consecutivi (es. 2026/27)' });

const schoolYearFields = { label: schoolYearLabel, firstDay: isoDate, lastDay: isoDate };
const daysInOrder = <T extends { firstDay: string; lastDay: string }>(y: T) => y.firstDay < y.lastDay;
const daysInOrderError = { error: 'L’ultimo giorno deve venire dopo il primo', path: ['lastDay'] };

export const SchoolYearInput = z.strictObject(schoolYearFields).refine(daysInOrder, daysInOrderError);
export const UpdateSchoolYearInput = z.strictObject({ schoolYearId: id, ...schoolYearFields }).refine(daysInOrder, daysInOrderError);
export type SchoolYearInput = z.infer<typeof SchoolYearInput>;

const schoolFields = {
	name: text('Nome della scuola', 120),
	level: z.enum(schoolLevels, { error: 'Ordine di scuola non valido (infanzia, primaria o secondaria)' }),
	managedBy: z.enum(['comune', 'scuola'], { error: 'Iscrizioni gestite da: Comune o scuola' }),
	address: optionalText('Indirizzo', 200)
};
export const SchoolInput = z.strictObject(schoolFields);
export const UpdateSchoolInput = z.strictObject({ schoolId: id, ...schoolFields });
export type SchoolInput = z.infer<typeof SchoolInput>;

export const ArchiveInput = z.strictObject({
	kind: z.enum(['school', 'schoolClass', 'schoolYear'], { error: 'Cosa archiviare: valore non valido (scuola, classe o anno scolastico)' }),
	id,
	archived: z.boolean({ error: 'Archiviata: valore non valido (sì o no)' })
});
export type ArchiveInput = z.infer<typeof ArchiveInput>;

export const SchoolClassInput = z.strictObject({ schoolId: id, schoolYearId: id, name: text('Nome della classe', 40) });
export const RenameSchoolClassInput = z.strictObject({ schoolClassId: id, name: text('Nome della classe', 40) });
