import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import type { Mailer, MailMessage } from './mailer.js';
import { log } from '../log.js';
import type { mailOutbox } from '../db/schema.js';

export type OutboxKind = (typeof mailOutbox.$inferInsert)['kind'];
/** What the outbox keeps: text only. An attachment (the avviso PDF) is sent at once by its request. */
export type QueuedMail = Omit<MailMessage, 'attachments'>;

/** Waits after the 1st, 2nd… failed attempt; after the last one the outbox gives up on that e-mail. */
export const RETRY_AFTER_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000, 24 * 3_600_000];
const DAY_MS = 86_400_000;
/** Sent e-mails carry a family's balance: kept a week to answer "did it go out?", then deleted. */
const KEEP_SENT_MS = 7 * DAY_MS;
const KEEP_FAILED_MS = 30 * DAY_MS;

const insertStatement = preparedFor((db) =>
	db.$client.prepare(
		`INSERT INTO mail_outbox (tenant_id, kind, recipient, subject, body, created_at, next_attempt_at)
		 VALUES (@tenant, @kind, @to, @subject, @text, @at, @at)`
	)
);

/** Call inside the transaction of the change the e-mails tell about: both are kept, or neither. */
export function enqueueMail(db: Db, clock: Clock, kind: OutboxKind, tenantId: number | null, messages: QueuedMail[]): void {
	const at = clock.now().getTime();
	for (const m of messages) insertStatement(db).run({ tenant: tenantId, kind, to: m.to, subject: m.subject, text: m.text, at });
}

type Row = { id: number; kind: OutboxKind; to: string; subject: string; text: string; attempts: number };

const dueStatement = preparedFor((db) =>
	db.$client.prepare(
		`SELECT id, kind, recipient AS "to", subject, body AS text, attempts FROM mail_outbox
		 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`
	)
);
const sentStatement = preparedFor((db) => db.$client.prepare('UPDATE mail_outbox SET sent_at = @at, attempts = attempts + 1, last_error = NULL WHERE id = @id'));
const failedStatement = preparedFor((db) =>
	db.$client.prepare('UPDATE mail_outbox SET attempts = @attempts, next_attempt_at = @next, failed_at = @failed, last_error = @error WHERE id = @id')
);

/** An SMTP 5xx answer (no such mailbox, refused) will not change by waiting; anything else (4xx, network) may. */
const isPermanent = (error: unknown) => {
	const code = (error as { responseCode?: unknown })?.responseCode;
	return typeof code === 'number' && code >= 500 && code < 600;
};

export interface DeliveryReport {
	/** rows taken from the queue this round */
	picked: number;
	sent: number;
	/** failed this time, tried again later */
	retrying: number;
	/** failed for the last time */
	givenUp: number;
}

/**
 * Sends up to `batch` due e-mails, `concurrency` at a time, and records each outcome as it
 * comes. A crash between the send and its record sends that e-mail again after restart: at
 * least once, never silently lost.
 */
export async function deliverDue(db: Db, clock: Clock, mailer: Mailer, opts: { batch?: number; concurrency?: number } = {}): Promise<DeliveryReport> {
	const rows = dueStatement(db).all(clock.now().getTime(), opts.batch ?? 50) as Row[];
	const report: DeliveryReport = { picked: rows.length, sent: 0, retrying: 0, givenUp: 0 };
	let next = 0;
	const worker = async () => {
		while (next < rows.length) {
			const row = rows[next++];
			try {
				await mailer.send({ to: row.to, subject: row.subject, text: row.text });
				sentStatement(db).run({ id: row.id, at: clock.now().getTime() });
				report.sent++;
			} catch (error) {
				const attempts = row.attempts + 1;
				const wait = isPermanent(error) ? undefined : RETRY_AFTER_MS[attempts - 1];
				const now = clock.now().getTime();
				failedStatement(db).run({ id: row.id, attempts, next: now + (wait ?? 0), failed: wait === undefined ? now : null, error: String(error).slice(0, 500) });
				if (wait === undefined) report.givenUp++;
				else report.retrying++;
				// The id and kind only: the address and the text are personal data and stay in the database.
				log.warn({ mailId: row.id, kind: row.kind, attempts, givenUp: wait === undefined, err: String(error).slice(0, 200) }, 'mail not sent');
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, rows.length) }, worker));
	return report;
}

/** Deletes what no longer needs keeping: sent e-mails after a week, given-up ones after a month. */
export function purgeOutbox(db: Db, clock: Clock): number {
	const now = clock.now().getTime();
	return db.$client.prepare('DELETE FROM mail_outbox WHERE sent_at < ? OR failed_at < ?').run(now - KEEP_SENT_MS, now - KEEP_FAILED_MS).changes;
}

/**
 * Drains the outbox in the background: a tick every `everyMs`; while batches come back full it
 * goes on at once, yielding to requests between batches. The function returned stops it and
 * resolves when the batch in flight has been recorded, or after 5 s with a mail server that hangs
 * (an e-mail sent but not yet recorded then goes again after restart).
 */
export function startMailOutbox(deps: { db: Db; clock: Clock; mailer: Mailer }, everyMs = 1_000, opts: { batch?: number; concurrency?: number } = {}): () => Promise<void> {
	const batch = opts.batch ?? 50;
	let current: Promise<void> | null = null;
	let stopped = false;
	let purgedAt = 0;
	const drain = async () => {
		let report: DeliveryReport;
		do {
			report = await deliverDue(deps.db, deps.clock, deps.mailer, { batch, concurrency: opts.concurrency });
		} while (!stopped && report.picked === batch);
		if (deps.clock.now().getTime() - purgedAt > 3_600_000) {
			purgeOutbox(deps.db, deps.clock);
			purgedAt = deps.clock.now().getTime();
		}
	};
	const tick = () => {
		if (current || stopped) return;
		current = drain()
			.catch((error) => log.error({ err: error }, 'mail outbox round failed; next round retries'))
			.finally(() => (current = null));
	};
	tick();
	const timer = setInterval(tick, everyMs);
	timer.unref();
	return async () => {
		stopped = true;
		clearInterval(timer);
		await Promise.race([current, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
	};
}
