import { z } from 'zod';
import { isIsoDate, isIsoMonth } from './dates.js';
import { parseEuroToCents } from './money.js';
import { MAX_TEMPLATE_LENGTH, templateProblem } from './reminder-template.js';

/*
 * Inputs of the ufficio's morosi, solleciti, cruscotto and registro pages. Objects are strict,
 * like every other input; an empty text filter means "any".
 */

const page = z.number({ error: 'Pagina non valida' }).int().min(1, { error: 'Pagina non valida' }).max(100_000, { error: 'Pagina non valida' });
const schoolId = z.number({ error: 'Scuola non valida' }).int().positive({ error: 'Scuola non valida' }).nullable();

/** "" (none) or an amount in euro as typed, to cents. */
const minDebt = z
	.string({ error: 'Importo minimo non valido (es. 10,00)' })
	.max(20, { error: 'Importo minimo non valido (es. 10,00)' })
	.transform((text, ctx) => {
		if (!text.trim()) return 0;
		const cents = parseEuroToCents(text);
		if (cents === null) {
			ctx.issues.push({ code: 'custom', message: 'Importo minimo non valido (es. 10,00)', input: text });
			return z.NEVER;
		}
		return cents;
	});

export const debtorSorts = ['debt', 'days', 'name', 'reminder'] as const;

export const DebtorListInput = z.strictObject({
	page,
	sort: z.enum(debtorSorts, { error: 'Ordinamento non valido' }),
	dir: z.enum(['asc', 'desc'], { error: 'Verso non valido' }),
	schoolId,
	minDebt
});
export type DebtorListInput = z.input<typeof DebtorListInput>;

/** The most e-mails one click sends: the Comune's whole list, not a mass mailing by mistake. */
export const MAX_REMINDER_ACCOUNTS = 2000;

const selection = {
	/** the rows ticked; null: every debtor the filter shows */
	accountIds: z
		.array(z.number({ error: 'Riga non valida' }).int().positive({ error: 'Riga non valida' }), { error: 'Selezione non valida' })
		.min(1, { error: 'Seleziona almeno un alunno' })
		.max(MAX_REMINDER_ACCOUNTS, { error: `Al massimo ${MAX_REMINDER_ACCOUNTS} solleciti per volta` })
		.nullable(),
	schoolId,
	minDebt
};

export const ReminderPreviewInput = z.strictObject(selection);
export type ReminderPreviewInput = z.input<typeof ReminderPreviewInput>;

export const SendRemindersInput = z.strictObject({
	/** the form's own id: a double click sends the solleciti once */
	requestId: z.uuid({ error: 'Identificativo della richiesta non valido: ricarica la pagina' }),
	...selection
});
export type SendRemindersInput = z.input<typeof SendRemindersInput>;

export const ReminderTemplateInput = z.strictObject({
	/** empty: the platform's default text */
	template: z
		.string({ error: 'Testo del sollecito non valido' })
		.max(MAX_TEMPLATE_LENGTH, { error: `Testo del sollecito: al massimo ${MAX_TEMPLATE_LENGTH} caratteri` })
		.transform((t) => t.replace(/\r\n?/g, '\n').trim())
		.superRefine((t, ctx) => {
			const problem = templateProblem(t);
			if (problem) ctx.addIssue({ code: 'custom', message: `Testo del sollecito: ${problem}` });
		})
});
export type ReminderTemplateInput = z.input<typeof ReminderTemplateInput>;

export const DashboardInput = z.strictObject({
	month: z.string({ error: 'Mese non valido (usa AAAA-MM)' }).refine(isIsoMonth, { error: 'Mese non valido (usa AAAA-MM)' })
});

const optionalDate = z
	.string({ error: 'Data non valida (usa AAAA-MM-GG)' })
	.max(10, { error: 'Data non valida (usa AAAA-MM-GG)' })
	.refine((d) => d === '' || isIsoDate(d), { error: 'Data non valida (usa AAAA-MM-GG)' });
const filterText = (label: string, max: number) =>
	z
		.string({ error: `${label}: testo non valido` })
		.trim()
		.max(max, { error: `${label}: al massimo ${max} caratteri` });

export const AuditSearchInput = z
	.strictObject({
		page,
		action: filterText('Azione', 60),
		entity: filterText('Oggetto', 60),
		actor: filterText('E-mail di chi ha agito', 254),
		from: optionalDate,
		to: optionalDate,
		q: filterText('Testo da cercare', 100)
	})
	.refine((s) => !s.from || !s.to || s.from <= s.to, { error: 'La data finale deve venire dopo quella iniziale', path: ['to'] });
export type AuditSearchInput = z.infer<typeof AuditSearchInput>;
