/*
 * A LIS notification: a retailer took money for one account's code, the network tells us once
 * or more. Checked in this order, and nothing is written for any refusal: the shape (400), the
 * Comune named by the code's prefix (404), its signature (401), the code inside that Comune
 * (404), the transaction id already seen with other data (409). Then credited once.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { consumers, paymentItems, payments, serviceGroups, tenants } from '../../db/schema.js';
import { tenantScope, type TenantScope } from '../../db/tenant-scope.js';
import { formatDateIt, formatTime, zonedDateOf } from '../../../src/lib/shared/dates.js';
import { creditPayment, type CreditNotices, type Payment } from '../credit.js';
import { readPaymentSettings } from '../settings.js';
import type { Sealer } from '../../auth/sealed.js';
import { verifyingSecret } from '../../tenants/tenant-secrets.js';
import { findLisAccount, parseLisCode } from './code.js';
import { verifyLisSignature } from './signature.js';

/** Above a school year of meals for one child: a bigger sum is a typing error at the till. */
export const MAX_LIS_AMOUNT_CENTS = 150_000;
export const MAX_BODY_BYTES = 8 * 1024;

const shortText = (max: number) => z.string().trim().min(1).max(max);

export const LisNotification = z.object({
	transactionId: shortText(64).regex(/^[A-Za-z0-9._:-]+$/),
	code: shortText(80),
	amountCents: z.number().int().positive().max(MAX_LIS_AMOUNT_CENTS),
	paidAt: z.iso.datetime({ offset: true }),
	terminalId: shortText(64).optional(),
	pointName: shortText(120).optional()
});
export type LisNotification = z.infer<typeof LisNotification>;

/** What the network gets back, the same on every delivery of one transaction. */
export interface LisCredit {
	transactionId: string;
	paymentId: number;
	amountCents: number;
	consumer: string;
	serviceGroup: string;
	creditedAt: string;
}

export type LisOutcome =
	| { status: 'credited'; replay: boolean; credit: LisCredit }
	| { status: 'malformed'; message: string }
	| { status: 'unknown_code' }
	| { status: 'unauthorized'; reason: string }
	| { status: 'conflict' };

export interface SignedRequest {
	rawBody: string;
	signature: string | null;
	timestamp: string | null;
}

function parse(rawBody: string): LisNotification | string {
	if (Buffer.byteLength(rawBody, 'utf8') > MAX_BODY_BYTES) return 'Corpo della richiesta troppo grande.';
	let json: unknown;
	try {
		json = JSON.parse(rawBody);
	} catch {
		return 'Il corpo non è JSON valido.';
	}
	const parsed = LisNotification.safeParse(json);
	return parsed.success ? parsed.data : parsed.error.issues.map((i) => `${i.path.join('.') || 'corpo'}: ${i.message}`).join('; ');
}

export function receiveLisNotification(db: Db, clock: Clock, secrets: Sealer, request: SignedRequest, notices: CreditNotices): LisOutcome {
	const n = parse(request.rawBody);
	if (typeof n === 'string') return { status: 'malformed', message: n };
	const code = parseLisCode(n.code);
	const tenant = code && db.select().from(tenants).where(eq(tenants.codiceFiscaleEnte, code.enteCodiceFiscale)).get();
	if (!code || !tenant) return { status: 'unknown_code' };
	// A Comune without a key cannot authenticate anyone: the simulator makes one at first use, a live Comune sets it.
	const secret = verifyingSecret(secrets, tenant.slug, 'lisSecret', readPaymentSettings(tenant.paymentSettings).lisSecret);
	if (!secret) return { status: 'unauthorized', reason: 'Chiave LIS del Comune non configurata.' };
	const check = verifyLisSignature(secret, request.rawBody, request, clock.now());
	if (!check.ok) return { status: 'unauthorized', reason: check.reason === 'stale' ? 'Timestamp fuori finestra (±5 minuti).' : 'Firma non valida.' };
	return creditLisPayment(db, clock, tenantScope(tenant.id), tenant.timezone, { ...n, code: code.code }, notices);
}

function creditOf(tx: Pick<Db, 'select'>, payment: Payment, account: { consumerId: number; serviceGroupId: number }): LisCredit {
	const c = tx.select({ givenName: consumers.givenName, familyName: consumers.familyName }).from(consumers).where(eq(consumers.id, account.consumerId)).get()!;
	const g = tx.select({ name: serviceGroups.name }).from(serviceGroups).where(eq(serviceGroups.id, account.serviceGroupId)).get()!;
	return {
		transactionId: payment.externalRef!,
		paymentId: payment.id,
		amountCents: payment.amountCents,
		consumer: `${c.givenName} ${c.familyName}`,
		serviceGroup: g.name,
		creditedAt: (payment.paidAt ?? payment.createdAt).toISOString()
	};
}

/**
 * One IMMEDIATE transaction: the lookup of the transaction id and the insert cannot interleave
 * with another delivery of the same notification, from this process or another.
 * A paused Comune (paymentsPause) is credited all the same: the retailer has already taken the
 * family's money, and refusing would only make the network retry or lose it.
 */
export function creditLisPayment(db: Db, clock: Clock, scope: TenantScope, timeZone: string, n: LisNotification, notices: CreditNotices): LisOutcome {
	return db.transaction(
		(tx) => {
			const account = findLisAccount(tx, scope, n.code);
			if (!account) return { status: 'unknown_code' } as const;
			const seen = tx.select().from(payments).where(scope.where(payments, eq(payments.channel, 'lis'), eq(payments.externalRef, n.transactionId))).get();
			if (seen) {
				const item = tx.select().from(paymentItems).where(eq(paymentItems.paymentId, seen.id)).get()!;
				const same = seen.amountCents === n.amountCents && item.consumerId === account.consumerId && item.serviceGroupId === account.serviceGroupId;
				return same ? ({ status: 'credited', replay: true, credit: creditOf(tx, seen, account) } as const) : ({ status: 'conflict' } as const);
			}
			const now = clock.now();
			const where = [n.pointName ?? 'punto LIS', n.terminalId && `terminale ${n.terminalId}`].filter(Boolean).join(', ');
			const payment = tx
				.insert(payments)
				.values({
					tenantId: scope.tenantId,
					channel: 'lis',
					status: 'paid',
					externalRef: n.transactionId,
					amountCents: n.amountCents,
					description: `Ricarica Punto LIS pagata il ${formatDateIt(zonedDateOf(n.paidAt, timeZone))} alle ${formatTime(n.paidAt, timeZone)} (${where})`,
					createdAt: now,
					updatedAt: now
				})
				.returning()
				.get();
			tx.insert(paymentItems).values({ tenantId: scope.tenantId, paymentId: payment.id, ...account, amountCents: n.amountCents }).run();
			creditPayment(db, payment, now, timeZone);
			notices(payment.id);
			const credited = tx.select().from(payments).where(eq(payments.id, payment.id)).get()!;
			return { status: 'credited', replay: false, credit: creditOf(tx, credited, account) } as const;
		},
		{ behavior: 'immediate' }
	);
}
