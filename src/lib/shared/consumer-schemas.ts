import { z } from 'zod';
import { codiceFiscale, email, isoDate } from './schemas.js';

/*
 * Inputs of the back office's pupils and enrolments (search, create, edit, move class, end an
 * enrolment, new activation codes, letters). Shared by the forms and the router; objects strict.
 */

const id = z.number({ error: 'Identificativo non valido' }).int().positive();
const name = (label: string) =>
	z
		.string({ error: `${label}: campo obbligatorio` })
		.trim()
		.min(1, { error: `${label}: campo obbligatorio` })
		.max(80, { error: `${label}: al massimo 80 caratteri` });
const choice = (label: string) => z.number({ error: `${label}: scegli un valore` }).int({ error: `${label}: scegli un valore` }).positive({ error: `${label}: scegli un valore` });

export const CONSUMER_SORTS = ['name', 'class', 'cf'] as const;

export const ConsumerListInput = z.strictObject({
	page: z.number({ error: 'Pagina non valida' }).int().min(1, { error: 'Pagina non valida' }).max(100_000, { error: 'Pagina non valida' }),
	sort: z.enum(CONSUMER_SORTS, { error: 'Ordinamento non valido' }),
	dir: z.enum(['asc', 'desc'], { error: 'Verso non valido' }),
	q: z.string({ error: 'Ricerca non valida' }).trim().max(60, { error: 'Testo di ricerca troppo lungo (al massimo 60 caratteri)' }),
	schoolId: id.nullable(),
	schoolClassId: id.nullable(),
	/** only pupils no guardian has linked yet: the ones still waiting for their letter */
	unlinked: z.boolean({ error: 'Filtro non valido' })
});
export type ConsumerListInput = z.infer<typeof ConsumerListInput>;

export const OfficeConsumerInput = z.strictObject({ consumerId: id });

const birthDate = z.union([z.literal(''), isoDate]).transform((d) => d || null);

const personal = {
	codiceFiscale,
	givenName: name('Nome'),
	familyName: name('Cognome'),
	birthDate
};

export const CreateConsumerInput = z.strictObject({
	...personal,
	schoolClassId: choice('Classe'),
	serviceId: choice('Servizio'),
	tariffBandId: choice('Fascia tariffaria'),
	applicantFiscalCode: codiceFiscale,
	applicantName: name('Nome del richiedente'),
	/** optional: where letters and solleciti go until the applicant has an account */
	applicantEmail: z.union([z.literal(''), email]).default(''),
	fromDate: isoDate
});
export type CreateConsumerInput = z.output<typeof CreateConsumerInput>;

export const UpdateConsumerInput = z.strictObject({ consumerId: id, ...personal });
export type UpdateConsumerInput = z.output<typeof UpdateConsumerInput>;

export const MoveClassInput = z.strictObject({ consumerId: id, schoolClassId: choice('Nuova classe') });

export const EndEnrolmentInput = z.strictObject({ enrolmentId: id, toDate: isoDate });

export const EnrolmentIdInput = z.strictObject({ enrolmentId: id });

/**
 * Which letters: one family (the applicants of a pupil's enrolments), one class, or, with neither,
 * every enrolment in reach. Enrolments a guardian already linked are left out unless asked.
 */
export const LettersInput = z
	.strictObject({ consumerId: id.optional(), schoolClassId: id.optional(), includeLinked: z.boolean({ error: 'Scelta non valida' }) })
	.refine((l) => l.consumerId === undefined || l.schoolClassId === undefined, { error: 'Scegli una famiglia oppure una classe, non entrambe', path: ['schoolClassId'] });
export type LettersInput = z.infer<typeof LettersInput>;
