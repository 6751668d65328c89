import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import { guardianRowsSql } from '../consumers/access.js';
import type { MailMessage } from '../mail/mailer.js';
import { enqueueMail } from '../mail/outbox.js';
import { readNotificationPrefs, type NotificationPrefs } from '../../src/lib/shared/schemas.js';
import type { CreditNotices } from './credit.js';
import { logLine } from '../log.js';
import { formatCents } from '../../src/lib/shared/money.js';
import { creditedMessage, lowBalanceMessage } from './alert-messages.js';
import { usualMealPriceCents } from '../tariffs/price.js';
import { zonedDate } from '../calendar/zoned-time.js';

export type BalanceLevel = 'ok' | 'low' | 'negative';
const severity: Record<BalanceLevel, number> = { ok: 0, low: 1, negative: 2 };

/** Negative below zero; low when the balance covers fewer than `meals` meals at the child's price (never, at 0 €). */
export function balanceLevel(balanceCents: number, mealPriceCents: number, meals: number): BalanceLevel {
	if (balanceCents < 0) return 'negative';
	return mealPriceCents > 0 && balanceCents < meals * mealPriceCents ? 'low' : 'ok';
}

export interface GuardianContact {
	id: string;
	givenName: string;
	email: string;
	prefs: NotificationPrefs;
}

// Whoever may see the child (access.ts), found from the child: one account's lookup must not read every user of the Comune.
const guardiansStatement = preparedFor((db) =>
	db.$client.prepare(`
		SELECT u.id, u.given_name AS givenName, coalesce(nullif(u.contact_email, ''), u.email) AS email, u.notification_prefs AS prefs
		FROM users u WHERE u.id IN (SELECT user_id FROM (${guardianRowsSql('@consumer', '@tenant')})) ORDER BY u.id`)
);

export function guardiansOf(db: Db, tenantId: number, consumerId: number): GuardianContact[] {
	const rows = guardiansStatement(db).all({ tenant: tenantId, consumer: consumerId }) as { id: string; givenName: string; email: string | null; prefs: string }[];
	return rows
		.filter((r): r is typeof r & { email: string } => !!r.email)
		.map((r) => ({ ...r, prefs: readNotificationPrefs(r.prefs) }));
}

// A prepaid account with what an alert needs: the child, the group, the Comune's time zone for the day's price.
const accountStatement = preparedFor((db) =>
	db.$client.prepare(`
		SELECT a.id, a.tenant_id AS tenantId, a.consumer_id AS consumerId, a.service_group_id AS serviceGroupId, a.balance_cents AS balance,
			c.given_name AS childName, g.name AS groupName, t.slug AS slug, t.name AS tenantName, t.timezone AS timezone
		FROM ledger_accounts a
		JOIN consumers c ON c.id = a.consumer_id
		JOIN service_groups g ON g.id = a.service_group_id
		JOIN tenants t ON t.id = a.tenant_id
		WHERE a.id = @account AND a.kind = 'prepaid'`)
);

type AccountRow = { id: number; tenantId: number; consumerId: number; serviceGroupId: number; balance: number; childName: string; groupName: string; slug: string; tenantName: string; timezone: string };

const alertLevels = preparedFor((db) => db.$client.prepare('SELECT user_id AS userId, level FROM balance_alerts WHERE account_id = ?'));
const saveLevel = preparedFor((db) =>
	db.$client.prepare(
		`INSERT INTO balance_alerts (account_id, user_id, level, changed_at) VALUES (@account, @user, @level, @at)
		 ON CONFLICT (account_id, user_id) DO UPDATE SET level = excluded.level, changed_at = excluded.changed_at WHERE level <> excluded.level`
	)
);

/**
 * Compares each account's balance with each guardian's threshold and remembers the level told:
 * an e-mail goes out when the level gets worse (ok → low → negative), once per crossing, not at
 * every meal; a top-up back above the threshold re-arms it. `knownPrices`: the meal price per account
 * when the caller has it already (a close's own prices), else the child's usual price of today. The e-mails join the outbox in the same
 * transaction as the levels: a crash cannot leave a level told that no e-mail tells. Returns how many.
 */
export function reviewBalanceAlerts(db: Db, clock: Clock, origin: string, accountIds: Iterable<number>, knownPrices?: Map<number, number>): number {
	const at = clock.now().getTime();
	let queued = 0;
	db.transaction(() => {
		for (const accountId of accountIds) {
			const account = accountStatement(db).get({ account: accountId }) as AccountRow | undefined;
			if (!account) continue;
			const price = knownPrices?.get(accountId) ?? usualMealPriceCents(db, account.tenantId, account.consumerId, account.serviceGroupId, zonedDate(clock.now(), account.timezone));
			const told = new Map((alertLevels(db).all(accountId) as { userId: string; level: BalanceLevel }[]).map((r) => [r.userId, r.level]));
			// Most accounts are comfortably in credit and were never alerted: no guardian lookup for them.
			if (told.size === 0 && balanceLevel(account.balance, price, 60) === 'ok') continue;
			for (const guardian of guardiansOf(db, account.tenantId, account.consumerId)) {
				const level = balanceLevel(account.balance, price, guardian.prefs.lowBalanceMeals);
				const before = told.get(guardian.id) ?? 'ok';
				if (level === before) continue;
				saveLevel(db).run({ account: accountId, user: guardian.id, level, at });
				if (severity[level] > severity[before] && guardian.prefs.lowBalanceEmail) {
					queued++;
					enqueueMail(db, clock, 'saldo_basso', account.tenantId, [lowBalanceMessage({ name: account.tenantName }, guardian, { child: account.childName, group: account.groupName, balance: formatCents(account.balance), negative: level === 'negative', link: `${origin}/ricarica?consumer=${account.consumerId}` })]);
				}
			}
		}
	});
	return queued;
}

/** Accounts reviewed per transaction after a day close: each slice is a few milliseconds, requests run between them. */
const REVIEW_SLICE = 200;

/**
 * After a day close: every debited account's alert level reviewed, a slice at a time, so that a
 * close debiting 2,000 pupils does not hold the event loop for the whole review. Returns the
 * e-mails queued.
 */
export async function reviewAlertsAfterClose(deps: { db: Db; clock: Clock; origin: string }, closeTransactionId: number): Promise<number> {
	const accounts = prepaidAccountsOf(deps.db, closeTransactionId);
	const prices = closePrices(deps.db, closeTransactionId);
	let queued = 0;
	for (let i = 0; i < accounts.length; i += REVIEW_SLICE) {
		if (i > 0) await new Promise((resolve) => setImmediate(resolve));
		queued += reviewBalanceAlerts(deps.db, deps.clock, deps.origin, accounts.slice(i, i + REVIEW_SLICE), prices);
	}
	return queued;
}

/**
 * What the close charged each account for a meal, sibling reduction included: read off its meals
 * in one statement, rather than worked out again per account (which reads every sibling's
 * enrolment, and a Comune's whole list of them for an applicant with many).
 */
function closePrices(db: Db, closeTransactionId: number): Map<number, number> {
	const rows = db.$client
		.prepare(
			`SELECT a.id AS account, max(m.price_cents) AS price FROM meals m
			 JOIN services s ON s.id = m.service_id
			 JOIN ledger_accounts a ON a.tenant_id = m.tenant_id AND a.kind = 'prepaid' AND a.consumer_id = m.consumer_id AND a.service_group_id = s.service_group_id
			 JOIN ledger_transactions t ON t.id = @tx
			 -- the close's own day (its external id ends with it): the meals index, not a scan of every meal
			 WHERE m.tenant_id = t.tenant_id AND m.date = substr(t.external_id, -10) AND m.transaction_id = @tx GROUP BY a.id`
		)
		.all({ tx: closeTransactionId }) as { account: number; price: number }[];
	return new Map(rows.map((r) => [r.account, r.price]));
}

/** The prepaid accounts a ledger transaction touched: a day close's debits, a top-up's credits. */
export function prepaidAccountsOf(db: Db, transactionId: number): number[] {
	return db.$client
		.prepare(`SELECT DISTINCT p.account_id FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE p.transaction_id = ? AND a.kind = 'prepaid'`)
		.pluck()
		.all(transactionId) as number[];
}

/** "Ricarica accreditata" to each guardian of each child of the payment, with the new balance. */
export function creditedMessages(db: Db, origin: string, paymentId: number): MailMessage[] {
	const items = db.$client
		.prepare(
			`SELECT i.amount_cents AS amount, a.id AS account, a.balance_cents AS balance, c.id AS consumerId, c.given_name AS child, g.name AS groupName,
				t.name AS tenantName, p.tenant_id AS tenantId, p.channel
			 FROM payment_items i JOIN payments p ON p.id = i.payment_id
			 JOIN consumers c ON c.id = i.consumer_id JOIN service_groups g ON g.id = i.service_group_id JOIN tenants t ON t.id = p.tenant_id
			 JOIN ledger_accounts a ON a.tenant_id = p.tenant_id AND a.kind = 'prepaid' AND a.consumer_id = i.consumer_id AND a.service_group_id = i.service_group_id
			 WHERE i.payment_id = ?`
		)
		.all(paymentId) as { amount: number; balance: number; consumerId: number; child: string; groupName: string; tenantName: string; tenantId: number; channel: string }[];
	const byGuardian = new Map<string, { guardian: GuardianContact; lines: string[]; tenantName: string }>();
	for (const item of items) {
		for (const guardian of guardiansOf(db, item.tenantId, item.consumerId)) {
			const entry = byGuardian.get(guardian.id) ?? { guardian, lines: [], tenantName: item.tenantName };
			entry.lines.push(`${item.child} — ${item.groupName}: +${formatCents(item.amount)}, nuovo saldo ${formatCents(item.balance)}`);
			byGuardian.set(guardian.id, entry);
		}
	}
	return [...byGuardian.values()].map((e) => creditedMessage({ name: e.tenantName }, e.guardian, e.lines, `${origin}/home`));
}

/**
 * The notices of a credit, for the channel's credit function to call inside its transaction (see
 * CreditNotices). In a savepoint of their own: an e-mail that cannot be composed (a guardian's
 * settings damaged by hand, say) is logged and skipped, and never undoes the money.
 */
export function creditNoticesFor(deps: { db: Db; clock: Clock; origin: string }, log: (line: string, error: unknown) => void = logLine): CreditNotices {
	return (paymentId) => {
		try {
			queueCreditNotices(deps, paymentId);
		} catch (error) {
			log(`[ricarica] avviso dell’accredito del pagamento ${paymentId} non messo in coda`, error);
		}
	};
}

/** After every credit: "ricarica accreditata" to the guardians queued, and the accounts' alert levels re-armed. */
function queueCreditNotices(deps: { db: Db; clock: Clock; origin: string }, paymentId: number): void {
	deps.db.transaction(() => {
		const payment = deps.db.$client.prepare('SELECT tenant_id AS tenantId, transaction_id AS credited FROM payments WHERE id = ?').get(paymentId) as
			| { tenantId: number; credited: number | null }
			| undefined;
		if (!payment) return;
		enqueueMail(deps.db, deps.clock, 'ricarica', payment.tenantId, creditedMessages(deps.db, deps.origin, paymentId));
		if (payment.credited !== null) reviewBalanceAlerts(deps.db, deps.clock, deps.origin, prepaidAccountsOf(deps.db, payment.credited));
	});
}
