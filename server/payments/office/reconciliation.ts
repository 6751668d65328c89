import { and, count, desc, eq, gte, inArray, isNull, lt, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { ledgerPostings, ledgerTransactions, payments, receipts, type PaymentChannel } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import { zonedInstant } from '../../calendar/zoned-time.js';
import { addDays, formatDateIt, type IsoDate } from '../../../src/lib/shared/dates.js';
import { paymentChannelLabels } from '../../../src/lib/shared/office-payments-schemas.js';
import { formatNoticeNumber } from '../notice-number.js';
import { BOM, csvCell } from '../../csv/write-csv.js';

export interface ReconciliationLine {
	/** null: pagoPA receipts for a notice number the Comune never issued */
	channel: PaymentChannel | null;
	label: string;
	received: { count: number; cents: number };
	credited: { count: number; cents: number };
	differenceCents: number;
}

export interface FlaggedItem {
	kind: 'receipt' | 'payment';
	reference: string;
	amountCents: number;
	reason: string;
	at: Date;
}

export interface Reconciliation {
	date: IsoDate;
	lines: ReconciliationLine[];
	flagged: FlaggedItem[];
}

const CHANNELS: PaymentChannel[] = ['pagopa_online', 'pagopa_avviso', 'lis', 'sportello'];

/**
 * The day's money by channel: what pagoPA receipts and LIS / counter payments said arrived, next
 * to what the ledger credited (top-up transactions of that channel). They differ when a receipt
 * was flagged and not credited, or a credit was posted for a payment notified another day.
 */
export function reconciliationReport(db: Db, scope: TenantScope, timeZone: string, date: IsoDate): Reconciliation {
	const from = zonedInstant(date, '00:00', timeZone);
	const to = zonedInstant(addDays(date, 1), '00:00', timeZone);
	const receivedWindow = and(gte(receipts.receivedAt, from), lt(receipts.receivedAt, to));
	const sumOf = (rows: { count: number; cents: number | null } | undefined) => ({ count: rows?.count ?? 0, cents: Number(rows?.cents ?? 0) });

	const pagopaReceived = (channel: PaymentChannel) =>
		db
			.select({ count: count(), cents: sql<number>`sum(${receipts.amountCents})` })
			.from(receipts)
			.innerJoin(payments, eq(payments.id, receipts.paymentId))
			.where(scope.where(receipts, receivedWindow, eq(receipts.outcome, 'OK'), eq(payments.channel, channel)))
			.get();
	// LIS and counter payments are their own notification: the payment row is made when it arrives.
	const notified = (channel: PaymentChannel) =>
		db
			.select({ count: count(), cents: sql<number>`sum(${payments.amountCents})` })
			.from(payments)
			.where(scope.where(payments, eq(payments.channel, channel), gte(payments.createdAt, from), lt(payments.createdAt, to), notInArray(payments.status, ['created', 'cancelled'])))
			.get();
	const credited = (kind: string) =>
		db
			.select({ count: sql<number>`count(DISTINCT ${ledgerTransactions.id})`, cents: sql<number>`sum(CASE WHEN ${ledgerPostings.amountCents} < 0 THEN -${ledgerPostings.amountCents} ELSE 0 END)` })
			.from(ledgerTransactions)
			.innerJoin(ledgerPostings, eq(ledgerPostings.transactionId, ledgerTransactions.id))
			.where(scope.where(ledgerTransactions, eq(ledgerTransactions.kind, kind), gte(ledgerTransactions.createdAt, from), lt(ledgerTransactions.createdAt, to)))
			.get();

	const line = (channel: PaymentChannel | null, label: string, received: ReturnType<typeof sumOf>, credit: ReturnType<typeof sumOf>): ReconciliationLine => ({
		channel,
		label,
		received,
		credited: credit,
		differenceCents: received.cents - credit.cents
	});
	const lines = CHANNELS.map((channel) =>
		line(channel, paymentChannelLabels[channel], sumOf(channel.startsWith('pagopa') ? pagopaReceived(channel) : notified(channel)), sumOf(credited(`topup_${channel}`)))
	);
	const unknown = sumOf(
		db
			.select({ count: count(), cents: sql<number>`sum(${receipts.amountCents})` })
			.from(receipts)
			.where(scope.where(receipts, receivedWindow, eq(receipts.outcome, 'OK'), isNull(receipts.paymentId)))
			.get()
	);
	if (unknown.count) lines.push(line(null, 'pagoPA, avviso sconosciuto', unknown, { count: 0, cents: 0 }));

	const flaggedReceipts = db
		.select()
		.from(receipts)
		.where(scope.where(receipts, receivedWindow, inArray(receipts.status, ['flagged', 'ko'])))
		.orderBy(desc(receipts.receivedAt))
		.all()
		.map((r) => ({ kind: 'receipt' as const, reference: `Ricevuta ${r.receiptId}, avviso ${formatNoticeNumber(r.noticeNumber)}`, amountCents: r.amountCents, reason: r.flag ?? '', at: r.receivedAt }));
	const flaggedPayments = db
		.select()
		.from(payments)
		.where(scope.where(payments, eq(payments.status, 'flagged'), inArray(payments.channel, ['lis', 'sportello']), gte(payments.updatedAt, from), lt(payments.updatedAt, to)))
		.all()
		.map((p) => ({ kind: 'payment' as const, reference: `${paymentChannelLabels[p.channel]} ${p.externalRef ?? p.id}`, amountCents: p.amountCents, reason: p.flag ?? '', at: p.updatedAt }));
	return { date, lines, flagged: [...flaggedReceipts, ...flaggedPayments] };
}

const textCell = (v: string) => csvCell('testo', v);
const euros = (cents: number) => csvCell('euro', cents);

/** Semicolon-separated with a BOM, as Italian spreadsheets expect; amounts in Italian format. */
export function reconciliationCsv(r: Reconciliation): string {
	const rows = [['Data', 'Canale', 'Ricevute (n.)', 'Ricevute (€)', 'Accrediti (n.)', 'Accrediti (€)', 'Differenza (€)'].join(';')];
	for (const l of r.lines) {
		rows.push([formatDateIt(r.date), textCell(l.label), l.received.count, euros(l.received.cents), l.credited.count, euros(l.credited.cents), euros(l.differenceCents)].join(';'));
	}
	if (r.flagged.length) {
		rows.push('', ['Da verificare', 'Riferimento', 'Importo (€)', 'Motivo'].join(';'));
		for (const f of r.flagged) rows.push([formatDateIt(r.date), textCell(f.reference), euros(f.amountCents), textCell(f.reason)].join(';'));
	}
	return `${BOM}${rows.join('\r\n')}\r\n`;
}
