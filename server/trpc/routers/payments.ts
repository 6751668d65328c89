import { TRPCError } from '@trpc/server';
import { NoInput } from '../../../src/lib/shared/schemas.js';
import { CreateCartInput, PaymentIdInput } from '../../../src/lib/shared/payments-schemas.js';
import { zonedDate } from '../../calendar/zoned-time.js';
import { mailAvviso } from '../../payments/avviso.js';
import { PagopaError } from '../../payments/pagopa/errors.js';
import { gatewayFor } from '../../payments/pagopa/gateway-for.js';
import { listOwnPayments, ricaricaAccounts, startRicarica } from '../../payments/ricarica.js';
import { paymentsPause, readPaymentSettings } from '../../payments/settings.js';
import type { Tenant } from '../../tenants/tenants.js';
import { guardianProcedure, router, type AuthedContext } from '../init.js';
import { refuse, Refusal } from '../outcomes.js';
import { logLine } from '../../log.js';

const fail = (code: TRPCError['code'], message: string, reason: string, fieldErrors?: Record<string, string>): never => {
	throw new TRPCError({ code, message, cause: new Refusal(message, reason, fieldErrors) });
};

/** A guardian always has a Comune; a session without one has nothing to pay. */
function tenantOf(ctx: AuthedContext): Tenant {
	return ctx.auth.tenant ?? fail('FORBIDDEN', 'Non hai i permessi per questa operazione.', 'NO_TENANT');
}

const refusalCodes = {
	PAYMENTS_PAUSED: 'PRECONDITION_FAILED',
	NO_FISCAL_CODE: 'PRECONDITION_FAILED',
	// another family's child looks exactly like no child at all
	NOT_YOUR_CONSUMER: 'NOT_FOUND',
	NOT_ENROLLED: 'BAD_REQUEST'
} as const satisfies Record<string, TRPCError['code']>;

export const paymentsRouter = router({
	/** What /ricarica shows: the pause, or the accounts with their saldo. */
	ricarica: guardianProcedure.input(NoInput).query(({ ctx }) => {
		const tenant = tenantOf(ctx);
		const pause = paymentsPause(readPaymentSettings(tenant.paymentSettings), zonedDate(ctx.rt.clock.now(), tenant.timezone));
		return {
			pause: pause.paused ? { message: pause.message, resumeOn: pause.resumeOn } : null,
			accounts: pause.paused ? [] : ricaricaAccounts(ctx.rt.db, ctx.scope, ctx.auth.user)
		};
	}),
	createCart: guardianProcedure.input(CreateCartInput).mutation(async ({ ctx, input }) => {
		const tenant = tenantOf(ctx);
		const { db, clock, config } = ctx.rt;
		const gateway = gatewayFor(tenant, { origin: config.origin, secrets: ctx.rt.secrets });
		const outcome = await startRicarica({ db, clock, scope: ctx.scope, tenant, gateway, origin: config.origin }, ctx.auth.user, input.channel, input.lines);
		switch (outcome.status) {
			case 'rejected':
				return fail(refusalCodes[outcome.code], outcome.message, outcome.code);
			case 'gateway_failed':
				logLine(`[pagoPA] pagamento ${outcome.paymentId} non accettato`, outcome.error instanceof PagopaError ? outcome.error.detail : outcome.error);
				return fail(
					'SERVICE_UNAVAILABLE',
					outcome.error instanceof PagopaError ? outcome.error.message : 'pagoPA non risponde, riprova fra qualche minuto: non è stato addebitato nulla.',
					'GATEWAY_FAILED'
				);
			case 'checkout':
				return { channel: 'pagopa_online' as const, paymentId: outcome.paymentId, redirectUrl: outcome.redirectUrl };
			case 'avviso': {
				const { paymentId, noticeNumber, noticeNumberFormatted, amountCents, dueDate } = outcome;
				return { channel: 'pagopa_avviso' as const, paymentId, noticeNumber, noticeNumberFormatted, amountCents, dueDate, pdfUrl: `/ricarica/avviso/${paymentId}` };
			}
		}
	}),
	emailAvviso: guardianProcedure.input(PaymentIdInput).mutation(async ({ ctx, input }) => {
		const { db, clock, mailer } = ctx.rt;
		const outcome = await mailAvviso({ db, clock, mailer, scope: ctx.scope, tenant: tenantOf(ctx) }, ctx.auth.user, input.paymentId);
		switch (outcome.status) {
			case 'sent':
				return { sentTo: outcome.to };
			case 'not_found':
				return fail('NOT_FOUND', 'Avviso di pagamento non trovato tra i tuoi.', 'NOT_FOUND');
			case 'no_address':
				return fail('PRECONDITION_FAILED', 'Non abbiamo un tuo indirizzo e-mail: aggiungilo nel Profilo.', 'NO_EMAIL');
			case 'rate_limited':
				return refuse(ctx.edge, outcome);
		}
	}),
	list: guardianProcedure.input(NoInput).query(({ ctx }) => listOwnPayments(ctx.rt.db, ctx.scope, ctx.auth.user.id))
});
