import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Clock } from '../../../clock.js';
import type { Db } from '../../../db/client.js';
import type { Sealer } from '../../../auth/sealed.js';
import { simCarts, simDebtPositions, simPaymentOptions, simReceiptOutbox, tenants } from '../../../db/schema.js';
import { readPaymentSettings } from '../../settings.js';
import type { CartBody, DebtPositionBody } from './protocol.js';
import { ensureReceiptSecret } from './receipt-secret.js';

/**
 * The simulator's own pagoPA: debt positions, carts, payments and the receipts they produce.
 * `clock` is the app's (the receipt's payment time); `wall` is real time, for the delivery
 * schedule, which must not stall when a test moves the app's clock.
 */
export interface SimDeps {
	db: Db;
	clock: Clock;
	wall: Clock;
	secrets: Sealer;
}

/** pagoPA sometimes delivers a receipt twice: the simulator always does, this long after the first. */
export const DUPLICATE_DELAY_MS = 2_000;

type Option = typeof simPaymentOptions.$inferSelect;
type Tx = Pick<Db, 'select' | 'insert' | 'update'>;

/** Only a Comune running on the simulator is served: a live one's receipts must come from pagoPA. */
export function simulatedEnte(db: Db, fiscalCode: string) {
	const found = db.select().from(tenants).where(eq(tenants.codiceFiscaleEnte, fiscalCode)).all();
	return found.find((t) => readPaymentSettings(t.paymentSettings).pagopa.mode === 'simulator') ?? null;
}

export type PositionOutcome = { status: 'created'; position: DebtPositionBody } | { status: 'duplicate'; detail: string };

export function createDebtPosition(deps: SimDeps, tenantId: number, fiscalCode: string, body: DebtPositionBody, toPublish: boolean): PositionOutcome {
	const { db } = deps;
	ensureReceiptSecret(db, deps.secrets, tenantId);
	return db.transaction((tx) => {
		if (tx.select({ id: simDebtPositions.id }).from(simDebtPositions).where(and(eq(simDebtPositions.organizationFiscalCode, fiscalCode), eq(simDebtPositions.iupd, body.iupd))).get()) {
			return { status: 'duplicate', detail: `Debt Position with iupd ${body.iupd} already exists` } as const;
		}
		for (const o of body.paymentOption) {
			if (findOption(tx, fiscalCode, o.iuv)) return { status: 'duplicate', detail: `Payment option with iuv ${o.iuv} already exists` } as const;
		}
		const position = tx
			.insert(simDebtPositions)
			.values({ organizationFiscalCode: fiscalCode, iupd: body.iupd, status: toPublish ? 'VALID' : 'DRAFT', body: JSON.stringify(body), createdAt: deps.clock.now() })
			.returning({ id: simDebtPositions.id })
			.get();
		tx.insert(simPaymentOptions)
			.values(
				body.paymentOption.map((o) => ({
					positionId: position.id,
					organizationFiscalCode: fiscalCode,
					iuv: o.iuv,
					amountCents: o.amount,
					description: o.description,
					companyName: body.companyName,
					debtorName: body.fullName,
					dueDate: o.dueDate.slice(0, 10)
				}))
			)
			.run();
		return { status: 'created', position: body } as const;
	});
}

export function findDebtPosition(db: Db, fiscalCode: string, iupd: string) {
	const row = db.select().from(simDebtPositions).where(and(eq(simDebtPositions.organizationFiscalCode, fiscalCode), eq(simDebtPositions.iupd, iupd))).get();
	return row ? { ...(JSON.parse(row.body) as DebtPositionBody), status: row.status } : null;
}

function findOption(db: Pick<Db, 'select'>, fiscalCode: string, iuv: string): Option | undefined {
	return db.select().from(simPaymentOptions).where(and(eq(simPaymentOptions.organizationFiscalCode, fiscalCode), eq(simPaymentOptions.iuv, iuv))).get();
}

export function createSimCart(deps: SimDeps, body: CartBody): string {
	const id = randomUUID();
	deps.db.insert(simCarts).values({ id, body: JSON.stringify(body), status: 'open', createdAt: deps.clock.now() }).run();
	return id;
}

export function findSimCart(db: Pick<Db, 'select'>, cartId: string) {
	const row = db.select().from(simCarts).where(eq(simCarts.id, cartId)).get();
	if (!row) return null;
	const body = JSON.parse(row.body) as CartBody;
	const notices = body.paymentNotices.map((n) => {
		const option = findOption(db, n.fiscalCode, n.noticeNumber.slice(1));
		return { ...n, known: option !== undefined, paid: option?.paidReceiptId != null };
	});
	return { id: row.id, status: row.status, notices, returnUrls: body.returnUrls, emailNotice: body.emailNotice ?? null };
}

/** Marks the option paid and queues its receipt, twice (see DUPLICATE_DELAY_MS), in the caller's transaction. */
function issueReceipt(tx: Tx, deps: SimDeps, option: Option, amountCents: number, channel: 'checkout' | 'psp'): string {
	const receiptId = randomBytes(16).toString('hex');
	tx.update(simPaymentOptions).set({ paidReceiptId: receiptId }).where(eq(simPaymentOptions.id, option.id)).run();
	const payload = JSON.stringify({
		receiptId,
		noticeNumber: `3${option.iuv}`,
		fiscalCode: option.organizationFiscalCode,
		creditorReferenceId: option.iuv,
		paymentAmount: amountCents,
		outcome: 'OK',
		paymentDateTime: deps.clock.now().toISOString(),
		description: option.description,
		companyName: option.companyName,
		debtor: { fullName: option.debtorName },
		idPSP: 'SIMULATORE',
		pspCompanyName: 'PSP simulato (nessun pagamento reale)',
		channel
	});
	const now = deps.wall.now().getTime();
	tx.insert(simReceiptOutbox)
		.values([1, 2].map((copy) => ({ receiptId, copy, organizationFiscalCode: option.organizationFiscalCode, payload, nextAttemptAt: new Date(copy === 1 ? now : now + DUPLICATE_DELAY_MS), createdAt: new Date(now) })))
		.run();
	return receiptId;
}

/** Paga: every notice of the cart is paid at its debt position's amount, or none is (→ returnErrorUrl). */
export function paySimCart(deps: SimDeps, cartId: string): { redirect: string } | null {
	return deps.db.transaction((tx) => {
		const cart = findSimCart(tx, cartId);
		if (!cart) return null;
		if (cart.status === 'paid') return { redirect: cart.returnUrls.returnOkUrl };
		if (cart.status !== 'open') return { redirect: cart.status === 'cancelled' ? cart.returnUrls.returnCancelUrl : cart.returnUrls.returnErrorUrl };
		const options = cart.notices.map((n) => findOption(tx, n.fiscalCode, n.noticeNumber.slice(1)));
		const payable = options.every((o): o is Option => o !== undefined && o.paidReceiptId === null);
		if (payable) for (const o of options) issueReceipt(tx, deps, o, o.amountCents, 'checkout');
		tx.update(simCarts).set({ status: payable ? 'paid' : 'failed' }).where(eq(simCarts.id, cartId)).run();
		return { redirect: payable ? cart.returnUrls.returnOkUrl : cart.returnUrls.returnErrorUrl };
	});
}

export function cancelSimCart(deps: SimDeps, cartId: string): { redirect: string } | null {
	const cart = findSimCart(deps.db, cartId);
	if (!cart) return null;
	if (cart.status === 'open') deps.db.update(simCarts).set({ status: 'cancelled' }).where(eq(simCarts.id, cartId)).run();
	return { redirect: cart.status === 'paid' ? cart.returnUrls.returnOkUrl : cart.returnUrls.returnCancelUrl };
}

export type PspOutcome = { status: 'paid'; receiptId: string } | { status: 'refused'; message: string };

/**
 * A payment at a PSP (tabaccheria, home banking) by notice number. The amount is what the tester
 * types, so a wrong amount can be tried; pagoPA itself refuses unknown and already paid notices.
 */
export function payAtPsp(deps: SimDeps, input: { noticeNumber: string; fiscalCode: string; amountCents: number }): PspOutcome {
	if (!simulatedEnte(deps.db, input.fiscalCode)) return { status: 'refused', message: 'Nessun Comune con questo codice fiscale usa il simulatore.' };
	return deps.db.transaction((tx) => {
		const option = findOption(tx, input.fiscalCode, input.noticeNumber.slice(1));
		if (!option || input.noticeNumber[0] !== '3') return { status: 'refused', message: 'Avviso inesistente presso l’ente (PAA_PAGAMENTO_SCONOSCIUTO).' } as const;
		if (option.paidReceiptId) return { status: 'refused', message: 'Avviso già pagato (PAA_PAGAMENTO_DUPLICATO).' } as const;
		return { status: 'paid', receiptId: issueReceipt(tx, deps, option, input.amountCents, 'psp') } as const;
	});
}
