import { and, asc, count, desc, eq, exists, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { consumers, paymentItems, payments, receipts, serviceGroups, type PaymentChannel, type PaymentStatus } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import { searchConsumers } from '../../consumers/search.js';
import { formatNoticeNumber, parseNoticeNumber } from '../notice-number.js';

export const PAYMENTS_PAGE_SIZE = 25;

export interface PaymentQuery {
	page: number;
	sort: 'date' | 'amount' | 'state';
	dir: 'asc' | 'desc';
	status: PaymentStatus | null;
	channel: PaymentChannel | null;
	q: string;
}

export interface PaymentRow {
	id: number;
	createdAt: Date;
	paidAt: Date | null;
	channel: PaymentChannel;
	status: PaymentStatus;
	noticeNumber: string | null;
	externalRef: string | null;
	amountCents: number;
	payerName: string;
	flag: string | null;
	/** what the operator reads: the notice number in groups of four, the counter receipt, the LIS operation */
	reference: string;
	items: { consumerName: string; groupName: string; amountCents: number }[];
}

export interface Paged<T> {
	rows: T[];
	total: number;
	page: number;
	pages: number;
}

/** States sort by urgency, not by their code's spelling: what needs the operator first. */
const stateRank = sql`CASE ${payments.status} WHEN 'flagged' THEN 0 WHEN 'pending' THEN 1 WHEN 'created' THEN 2 WHEN 'expired' THEN 3 WHEN 'cancelled' THEN 4 ELSE 5 END`;
function referenceOf(p: { channel: PaymentChannel; noticeNumber: string | null; externalRef: string | null; id: number }): string {
	if (p.noticeNumber) return `Avviso ${formatNoticeNumber(p.noticeNumber)}`;
	if (p.channel === 'sportello') return `Ricevuta ${p.externalRef}`;
	return p.externalRef ? `Operazione ${p.externalRef}` : `Pagamento n. ${p.id}`;
}

const sortColumn = { date: payments.createdAt, amount: payments.amountCents, state: stateRank } as const;

/**
 * What a search means: a notice number (typed with or without the spaces of the avviso), a counter
 * receipt or LIS reference, or a pupil by name or codice fiscale (the consumer search's own rules
 * and its first matches).
 */
function searchCondition(db: Db, scope: TenantScope, q: string): SQL | undefined {
	const text = q.trim();
	if (!text) return undefined;
	const notice = parseNoticeNumber(text);
	if (notice) return eq(payments.noticeNumber, notice);
	const ids = searchConsumers(db, scope, text, null).map((c) => c.id);
	const byConsumer = ids.length
		? exists(db.select({ one: sql`1` }).from(paymentItems).where(and(eq(paymentItems.paymentId, payments.id), inArray(paymentItems.consumerId, ids))))
		: undefined;
	return or(eq(payments.externalRef, text), byConsumer) ?? sql`0`;
}

/** All payments of the Comune, newest first unless asked otherwise, one page at a time. */
export function listPayments(db: Db, scope: TenantScope, query: PaymentQuery): Paged<PaymentRow> {
	const where = scope.where(
		payments,
		query.status ? eq(payments.status, query.status) : undefined,
		query.channel ? eq(payments.channel, query.channel) : undefined,
		searchCondition(db, scope, query.q)
	);
	const total = db.select({ n: count() }).from(payments).where(where).get()!.n;
	const pages = Math.max(1, Math.ceil(total / PAYMENTS_PAGE_SIZE));
	const page = Math.min(query.page, pages);
	const order = query.dir === 'asc' ? asc : desc;
	const found = db
		.select()
		.from(payments)
		.where(where)
		.orderBy(order(sortColumn[query.sort]), order(payments.id))
		.limit(PAYMENTS_PAGE_SIZE)
		.offset((page - 1) * PAYMENTS_PAGE_SIZE)
		.all();
	const items = found.length
		? db
				.select({ paymentId: paymentItems.paymentId, givenName: consumers.givenName, familyName: consumers.familyName, groupName: serviceGroups.name, amountCents: paymentItems.amountCents })
				.from(paymentItems)
				.innerJoin(consumers, eq(consumers.id, paymentItems.consumerId))
				.innerJoin(serviceGroups, eq(serviceGroups.id, paymentItems.serviceGroupId))
				.where(scope.where(paymentItems, inArray(paymentItems.paymentId, found.map((p) => p.id))))
				.orderBy(asc(paymentItems.id))
				.all()
		: [];
	const rows = found.map((p) => ({
		id: p.id,
		createdAt: p.createdAt,
		paidAt: p.paidAt,
		channel: p.channel,
		status: p.status,
		noticeNumber: p.noticeNumber,
		externalRef: p.externalRef,
		amountCents: p.amountCents,
		payerName: p.payerName,
		flag: p.flag,
		reference: referenceOf(p),
		items: items.filter((i) => i.paymentId === p.id).map((i) => ({ consumerName: `${i.givenName} ${i.familyName}`, groupName: i.groupName, amountCents: i.amountCents }))
	}));
	return { rows, total, page, pages };
}

export interface ReceiptRow {
	id: number;
	receiptId: string;
	/** grouped in fours, as on the avviso */
	noticeNumber: string;
	amountCents: number;
	outcome: string;
	status: 'flagged' | 'ko';
	flag: string | null;
	receivedAt: Date;
	paymentId: number | null;
	channel: PaymentChannel | null;
	payerName: string | null;
}

/**
 * Ricevute da verificare: receipts recorded but not (or not plainly) credited, including those
 * for a notice number the Comune never issued. Receipts naming an unknown ente belong to no
 * Comune and are not shown to any.
 */
export function listReceiptsToCheck(db: Db, scope: TenantScope, pageWanted: number): Paged<ReceiptRow> {
	const where = scope.where(receipts, inArray(receipts.status, ['flagged', 'ko']));
	const total = db.select({ n: count() }).from(receipts).where(where).get()!.n;
	const pages = Math.max(1, Math.ceil(total / PAYMENTS_PAGE_SIZE));
	const page = Math.min(pageWanted, pages);
	const rows = db
		.select({
			id: receipts.id,
			receiptId: receipts.receiptId,
			noticeNumber: receipts.noticeNumber,
			amountCents: receipts.amountCents,
			outcome: receipts.outcome,
			status: receipts.status,
			flag: receipts.flag,
			receivedAt: receipts.receivedAt,
			paymentId: receipts.paymentId,
			channel: payments.channel,
			payerName: payments.payerName
		})
		.from(receipts)
		.leftJoin(payments, and(eq(payments.id, receipts.paymentId), isNotNull(receipts.paymentId)))
		.where(where)
		.orderBy(desc(receipts.receivedAt), desc(receipts.id))
		.limit(PAYMENTS_PAGE_SIZE)
		.offset((page - 1) * PAYMENTS_PAGE_SIZE)
		.all()
		.map((r) => ({ ...r, noticeNumber: formatNoticeNumber(r.noticeNumber) })) as ReceiptRow[];
	return { rows, total, page, pages };
}
