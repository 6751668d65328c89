import { z } from 'zod';
import { isValidCodiceFiscale, normalizeCodiceFiscale } from './codice-fiscale.js';

/*
 * The inputs of every procedure, shared by the forms (which show the same Italian messages next
 * to each field) and the server (which validates again at the edge). Objects are strict: an
 * unknown field is an error, not something silently dropped.
 */

z.config(z.locales.it());

const text = (label: string, max: number) =>
	z
		.string({ error: `${label}: campo obbligatorio` })
		.trim()
		.min(1, { error: `${label}: campo obbligatorio` })
		.max(max, { error: `${label}: al massimo ${max} caratteri` });

export const tenantSlug = z
	.string()
	.max(60, { error: 'Comune non valido' })
	.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'Comune non valido' });

export const email = z
	.string({ error: 'E-mail: campo obbligatorio' })
	.trim()
	.max(254, { error: 'E-mail: indirizzo troppo lungo' })
	.pipe(z.email({ error: 'E-mail: indirizzo non valido' }));

/** Strength is checked on the server against the common-password list; here only the bounds. */
export const password = z
	.string({ error: 'Password: campo obbligatorio' })
	.min(1, { error: 'Password: campo obbligatorio' })
	.max(256, { error: 'Password: al massimo 256 caratteri' });

export const codiceFiscale = z
	.string({ error: 'Codice fiscale: campo obbligatorio' })
	.max(20, { error: 'Codice fiscale: deve avere 16 caratteri' })
	.transform(normalizeCodiceFiscale)
	.refine(isValidCodiceFiscale, { error: 'Codice fiscale: non valido (controlla lettere, cifre e carattere di controllo)' });

const token = z
	.string({ error: 'Link non valido' })
	.regex(/^[a-z2-7]{32}$/, { error: 'Link non valido o incompleto: aprilo di nuovo dall’e-mail' });

/** For procedures that take nothing: a stray body or ?input= is refused, not silently ignored. */
export const NoInput = z.undefined({ error: 'Questa richiesta non accetta dati.' });

export const TenantSearchInput = z.strictObject({ q: z.string().max(60, { error: 'Testo di ricerca troppo lungo' }) });
export const TenantBySlugInput = z.strictObject({ slug: tenantSlug });

export const RegisterInput = z.strictObject({
	tenantSlug,
	givenName: text('Nome', 80),
	familyName: text('Cognome', 80),
	codiceFiscale,
	email,
	password,
	privacyAccepted: z.literal(true, { error: 'Per registrarti devi accettare l’informativa sulla privacy' })
});
export type RegisterInput = z.input<typeof RegisterInput>;

export const LoginInput = z.strictObject({
	/** absent for the platform administrators */
	tenantSlug: tenantSlug.optional(),
	email,
	password
});

export const ChangePasswordInput = z.strictObject({
	currentPassword: password,
	newPassword: password,
	/** checked by default on the form: the safe choice when a password may have leaked */
	endOtherSessions: z.boolean({ error: 'Altri dispositivi: valore non valido' }).default(true)
});

/** The 6 digits of the authenticator app, or a recovery code (abcd-efgh). */
export const SecondFactorInput = z.strictObject({
	code: z
		.string({ error: 'Codice: campo obbligatorio' })
		.trim()
		.min(1, { error: 'Codice: campo obbligatorio' })
		.max(20, { error: 'Codice: sono 6 cifre, oppure un codice di recupero come abcd-efgh' })
		.regex(/^(\d{3} ?\d{3}|[a-z2-7]{4}-?[a-z2-7]{4})$/i, { error: 'Codice: non valido (6 cifre, oppure un codice di recupero come abcd-efgh)' })
});
export const VerifyEmailInput = z.strictObject({ token });
export const ResendVerificationInput = z.strictObject({ tenantSlug, email });
export const RequestResetInput = z.strictObject({ tenantSlug: tenantSlug.optional(), email });
export const ResetPasswordInput = z.strictObject({ token, password });

export const ActivateInput = z.strictObject({
	code: z
		.string({ error: 'Codice di attivazione: campo obbligatorio' })
		.trim()
		.min(1, { error: 'Codice di attivazione: campo obbligatorio' })
		.max(20, { error: 'Codice di attivazione: il codice ha 12 caratteri, come XXXX-XXXX-XXXX' })
});

export const ConsumerIdInput = z.strictObject({ consumerId: z.number().int().positive() });

export const phone = z
	.string()
	.trim()
	.max(20, { error: 'Telefono: al massimo 20 caratteri' })
	.regex(/^(\+?[0-9][0-9 ./-]{5,18})?$/, { error: 'Telefono: usa solo cifre, spazi e il prefisso +' });

export const ProfileInput = z.strictObject({
	contactEmail: z.union([z.literal(''), email]),
	phone
});

export const NotificationPrefs = z.strictObject({
	lowBalanceEmail: z.boolean(),
	/** alert when the balance covers fewer meals than this (at the child's own tariff) */
	lowBalanceMeals: z.number({ error: 'Soglia: scrivi un numero di pasti' }).int({ error: 'Soglia: un numero intero di pasti' }).min(1, { error: 'Soglia: almeno 1 pasto' }).max(60, { error: 'Soglia: al massimo 60 pasti' }),
	markReceiptEmail: z.boolean(),
	newsEmail: z.boolean()
});
export type NotificationPrefs = z.infer<typeof NotificationPrefs>;
export const defaultNotificationPrefs: NotificationPrefs = {
	lowBalanceEmail: true,
	lowBalanceMeals: 3,
	markReceiptEmail: false,
	newsEmail: true
};

/** The stored preferences, each missing or damaged one (a value written by hand) as its default: never a throw. */
export function readNotificationPrefs(stored: string | null | undefined): NotificationPrefs {
	let raw: unknown = {};
	try {
		raw = JSON.parse(stored || '{}');
	} catch {
		// Not JSON: the defaults.
	}
	const parsed = NotificationPrefs.partial().safeParse(raw);
	return { ...defaultNotificationPrefs, ...(parsed.success ? parsed.data : {}) };
}

// ——— Meals ———

const isoDatePattern = /^\d{4}-\d{2}-\d{2}$/;
export const isoDate = z
	.string({ error: 'Data: campo obbligatorio' })
	.regex(isoDatePattern, { error: 'Data non valida (usa AAAA-MM-GG)' })
	.refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { error: 'Data inesistente' });

const id = z.number({ error: 'Identificativo non valido' }).int().positive();

/** The version of the phone's offline copy (null: it has none): an unchanged copy is not sent again. */
export const OfflineCopyInput = z.strictObject({
	version: z
		.string()
		.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'Versione non valida' })
		.nullable()
});

export const DaysInput = z
	.strictObject({ consumerId: id, from: isoDate, to: isoDate })
	.refine((r) => r.from <= r.to, { error: 'La data iniziale deve precedere quella finale', path: ['to'] })
	.refine((r) => Date.parse(r.to) - Date.parse(r.from) <= 190 * 86_400_000, { error: 'Al massimo sei mesi per volta', path: ['to'] });

export const MarkInput = z.strictObject({
	mutationId: z.uuid({ error: 'mutationId: deve essere un UUID' }),
	consumerId: id,
	date: isoDate,
	kind: z.enum(['assenza', 'pastoInBianco'], { error: 'Tipo: assenza o pastoInBianco' }),
	value: z.boolean({ error: 'Valore: vero o falso' })
});
export const MarkBatchInput = z.strictObject({
	marks: z.array(MarkInput).min(1, { error: 'Nessuna modifica da inviare' }).max(250, { error: 'Al massimo 250 modifiche per invio' })
});
export type MarkInput = z.infer<typeof MarkInput>;

export const DayHistoryInput = z.strictObject({ consumerId: id, date: isoDate });
export const KitchenReportInput = z.strictObject({ date: isoDate });

export const CorrectionInput = z.strictObject({
	consumerId: id,
	date: isoDate,
	assenza: z.boolean(),
	pastoInBianco: z.boolean(),
	reason: text('Motivo', 300)
});

export const SetCalendarInput = z
	.strictObject({
		schoolId: id,
		schoolYearId: id,
		weekdays: z.array(z.number().int().min(1).max(7)).min(1, { error: 'Scegli almeno un giorno della settimana' }).max(7),
		firstDay: isoDate,
		lastDay: isoDate
	})
	.refine((r) => r.firstDay <= r.lastDay, { error: 'Il primo giorno deve precedere l’ultimo', path: ['lastDay'] });

export const ClosureInput = z
	.strictObject({
		schoolId: id.nullable(),
		schoolClassId: id.nullable(),
		fromDate: isoDate,
		toDate: isoDate,
		reason: text('Motivo', 120)
	})
	.refine((r) => r.fromDate <= r.toDate, { error: 'La data di inizio deve precedere quella di fine', path: ['toDate'] });

export const ClosureIdInput = z.strictObject({ closureId: id });

// ——— Back office: pupils ———

export const ConsumerSearchInput = z.strictObject({
	q: z.string({ error: 'Nome: campo obbligatorio' }).max(60, { error: 'Testo di ricerca troppo lungo (al massimo 60 caratteri)' })
});

/** A label for the kitchen ("senza glutine"), never a diagnosis or a medical document; empty or null removes it. */
export const SetDietLabelInput = z.strictObject({
	consumerId: id,
	dietLabel: z
		.string({ error: 'Dieta speciale: testo non valido' })
		.trim()
		.max(60, { error: 'Dieta speciale: al massimo 60 caratteri' })
		.nullable()
		.transform((v) => (v ? v : null))
});
