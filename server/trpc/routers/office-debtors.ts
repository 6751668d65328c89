import { TRPCError } from '@trpc/server';
import { DebtorListInput, ReminderPreviewInput, ReminderTemplateInput, SendRemindersInput } from '../../../src/lib/shared/debtor-schemas.js';
import { DEFAULT_REMINDER_TEMPLATE, reminderPlaceholders } from '../../../src/lib/shared/reminder-template.js';
import { NoInput } from '../../../src/lib/shared/schemas.js';
import { zonedDate } from '../../calendar/zoned-time.js';
import { listDebtors, schoolsOf } from '../../debtors/list.js';
import { previewReminders, sendReminders, setReminderTemplate, templateOf } from '../../debtors/reminders.js';
import { findTenantById } from '../../tenants/tenants.js';
import { procedureFor, router, type AuthedContext } from '../init.js';
import { Refusal } from '../outcomes.js';

/** Debts and the letters about them are the ufficio's alone. */
const operatorProcedure = procedureFor('operator');

const actorOf = (ctx: AuthedContext) => ({ userId: ctx.auth.user.id, ip: ctx.edge.ip });
const todayOf = (ctx: AuthedContext) => zonedDate(ctx.rt.clock.now(), ctx.auth.tenant!.timezone);
// Read again, not from the session: the template may have changed since the page was opened.
const tenantOf = (ctx: AuthedContext) => findTenantById(ctx.rt.db, ctx.scope.tenantId)!;
const selectionOf = (input: { accountIds: number[] | null; schoolId: number | null; minDebt: number }) => ({
	accountIds: input.accountIds,
	schoolId: input.schoolId,
	minDebtCents: input.minDebt
});

export const officeDebtorsRouter = router({
	list: operatorProcedure.input(DebtorListInput).query(({ ctx, input }) => ({
		...listDebtors(ctx.rt.db, ctx.scope, { ...input, minDebtCents: input.minDebt }, todayOf(ctx)),
		schools: schoolsOf(ctx.rt.db, ctx.scope)
	})),
	template: operatorProcedure.input(NoInput).query(({ ctx }) => {
		const tenant = tenantOf(ctx);
		return { template: templateOf(tenant), isDefault: !tenant.reminderTemplate, defaultTemplate: DEFAULT_REMINDER_TEMPLATE, placeholders: reminderPlaceholders };
	}),
	setTemplate: operatorProcedure
		.input(ReminderTemplateInput)
		.mutation(({ ctx, input }) => setReminderTemplate(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input.template === DEFAULT_REMINDER_TEMPLATE ? '' : input.template)),
	preview: operatorProcedure
		.input(ReminderPreviewInput)
		.query(({ ctx, input }) => previewReminders(ctx.rt.db, ctx.scope, tenantOf(ctx), ctx.rt.config.origin, selectionOf(input), todayOf(ctx))),
	send: operatorProcedure.input(SendRemindersInput).mutation(({ ctx, input }) => {
		const r = sendReminders(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), {
			tenant: tenantOf(ctx),
			origin: ctx.rt.config.origin,
			requestId: input.requestId,
			selection: selectionOf(input),
			today: todayOf(ctx)
		});
		if (r.status === 'duplicate') {
			const message = 'Questi solleciti sono già stati inviati: ricarica la pagina per inviarne altri.';
			throw new TRPCError({ code: 'CONFLICT', message, cause: new Refusal(message, 'ALREADY_SENT') });
		}
		if (r.status === 'nothing') {
			const message = 'Nessun sollecito inviato: nessuno degli alunni scelti ha un saldo negativo e un genitore con un indirizzo e-mail.';
			throw new TRPCError({ code: 'BAD_REQUEST', message, cause: new Refusal(message, 'NOTHING_TO_SEND') });
		}
		// Queued with the log: the outbox sends them, the answer does not wait for the mail server.
		return r;
	})
});
