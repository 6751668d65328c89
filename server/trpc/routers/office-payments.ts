import { TRPCError } from '@trpc/server';
import {
	ConsumerAccountsInput,
	CounterTopupInput,
	PageInput,
	PaymentListInput,
	ReconciliationInput,
	RefundInput,
	SetPauseInput,
	TransferInput
} from '../../../src/lib/shared/office-payments-schemas.js';
import { NoInput } from '../../../src/lib/shared/schemas.js';
import { accountsOf, findConsumer, siblingsOf } from '../../payments/office/accounts.js';
import { refundBalance, transferBalance, type AdjustmentOutcome } from '../../payments/office/adjustments.js';
import { recordCounterTopup, type OfficeActor } from '../../payments/office/counter-topup.js';
import { creditNoticesFor } from '../../payments/alerts.js';
import { listPayments, listReceiptsToCheck } from '../../payments/office/payments-list.js';
import { readPause, setPause } from '../../payments/office/pause.js';
import { reconciliationReport } from '../../payments/office/reconciliation.js';
import { procedureFor, router, type AuthedContext } from '../init.js';
import { Refusal } from '../outcomes.js';

/** Money is the ufficio's alone: school staff and the kitchen see none of it. */
const operatorProcedure = procedureFor('operator');

const actorOf = (ctx: AuthedContext): OfficeActor => ({ userId: ctx.auth.user.id, name: `${ctx.auth.user.givenName} ${ctx.auth.user.familyName}`.trim(), ip: ctx.edge.ip });
const timeZoneOf = (ctx: AuthedContext) => ctx.auth.tenant!.timezone;

function refused(r: { code: string; message: string; field?: string }): never {
	throw new TRPCError({
		code: r.code === 'NOT_FOUND' ? 'NOT_FOUND' : r.code === 'DUPLICATE_RECEIPT' ? 'CONFLICT' : 'BAD_REQUEST',
		message: r.message,
		cause: new Refusal(r.message, r.code, r.field ? { [r.field]: r.message } : undefined)
	});
}

const settled = (r: AdjustmentOutcome) => (r.status === 'rejected' ? refused(r) : r);

export const officePaymentsRouter = router({
	payments: operatorProcedure.input(PaymentListInput).query(({ ctx, input }) => listPayments(ctx.rt.db, ctx.scope, input)),
	receiptsToCheck: operatorProcedure.input(PageInput).query(({ ctx, input }) => listReceiptsToCheck(ctx.rt.db, ctx.scope, input.page)),
	consumerAccounts: operatorProcedure.input(ConsumerAccountsInput).query(({ ctx, input }) => {
		const consumer = findConsumer(ctx.rt.db, ctx.scope, input.consumerId);
		if (!consumer) refused({ code: 'NOT_FOUND', message: 'Consumatore non trovato in questo Comune.' });
		return { consumer, accounts: accountsOf(ctx.rt.db, ctx.scope, consumer.id), siblings: siblingsOf(ctx.rt.db, ctx.scope, consumer.id) };
	}),
	counterTopup: operatorProcedure.input(CounterTopupInput).mutation(({ ctx, input }) => {
		const notices = creditNoticesFor({ db: ctx.rt.db, clock: ctx.rt.clock, origin: ctx.rt.config.origin });
		const r = recordCounterTopup(ctx.rt.db, ctx.rt.clock, ctx.scope, timeZoneOf(ctx), actorOf(ctx), { ...input, amountCents: input.amount }, notices);
		if (r.status === 'rejected') return refused(r);
		return r;
	}),
	refund: operatorProcedure
		.input(RefundInput)
		.mutation(({ ctx, input }) => settled(refundBalance(ctx.rt.db, ctx.rt.clock, ctx.scope, timeZoneOf(ctx), actorOf(ctx), { ...input, amountCents: input.amount }))),
	transfer: operatorProcedure
		.input(TransferInput)
		.mutation(({ ctx, input }) => settled(transferBalance(ctx.rt.db, ctx.rt.clock, ctx.scope, timeZoneOf(ctx), actorOf(ctx), { ...input, amountCents: input.amount }))),
	reconciliation: operatorProcedure.input(ReconciliationInput).query(({ ctx, input }) => reconciliationReport(ctx.rt.db, ctx.scope, timeZoneOf(ctx), input.date)),
	pause: operatorProcedure.input(NoInput).query(({ ctx }) => readPause(ctx.rt.db, ctx.rt.clock, ctx.scope)),
	setPause: operatorProcedure.input(SetPauseInput).mutation(({ ctx, input }) => setPause(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)),
	clearPause: operatorProcedure.input(NoInput).mutation(({ ctx }) => setPause(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), null))
});
