import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { openDb, type Db } from '../db/client.js';
import { rows } from '../meals/test-fixture.js';
import type { Mailer, MailMessage } from './mailer.js';
import { deliverDue, enqueueMail, purgeOutbox, RETRY_AFTER_MS, startMailOutbox } from './outbox.js';

const clock = fixedClock('2026-11-23T08:00:00Z');
let db: Db;

/**
 * A mail server that records what reaches it, answers 451 (try later) for the addresses in `down`
 * and 550 (no such mailbox) for those in `unknown`, and counts connections in use.
 */
function mailServer() {
	const server = { received: [] as MailMessage[], down: new Set<string>(), unknown: new Set<string>(), inFlight: 0, mostInFlight: 0 };
	const mailer: Mailer = {
		async send(message) {
			server.mostInFlight = Math.max(server.mostInFlight, ++server.inFlight);
			await new Promise((resolve) => setTimeout(resolve, 2));
			server.inFlight--;
			if (server.down.has(message.to)) throw Object.assign(new Error('451 try again later'), { responseCode: 451 });
			if (server.unknown.has(message.to)) throw Object.assign(new Error('550 no such mailbox'), { responseCode: 550 });
			server.received.push(message);
		}
	};
	return { server, mailer };
}

const mail = (n: number) => ({ to: `genitore${n}@example.com`, subject: `Saldo ${n}`, text: `Testo ${n}` });
const state = () => rows(db, 'SELECT recipient, attempts, sent_at IS NOT NULL AS sent, failed_at IS NOT NULL AS failed FROM mail_outbox ORDER BY id');

beforeEach(() => {
	db = openDb(':memory:');
	clock.set('2026-11-23T08:00:00Z');
});

describe('mail outbox', () => {
	it('keeps nothing of a transaction that rolls back: the e-mail goes with its change or not at all', () => {
		expect(() =>
			db.transaction(() => {
				enqueueMail(db, clock, 'saldo_basso', null, [mail(1)]);
				throw new Error('the change failed');
			})
		).toThrow('the change failed');
		expect(state()).toEqual([]);
	});

	it('sends each queued e-mail once, a few at a time, and records it as sent', async () => {
		const { server, mailer } = mailServer();
		enqueueMail(db, clock, 'sollecito', null, Array.from({ length: 30 }, (_, i) => mail(i)));
		const report = await deliverDue(db, clock, mailer, { batch: 50, concurrency: 4 });
		expect(report).toEqual({ picked: 30, sent: 30, retrying: 0, givenUp: 0 });
		expect(server.received.map((m) => m.subject).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `Saldo ${i}`).sort());
		expect(server.mostInFlight).toBe(4);
		expect(await deliverDue(db, clock, mailer)).toMatchObject({ picked: 0 });
		expect(server.received).toHaveLength(30);
	});

	it('tries a failed e-mail again later, with growing waits, and gives up after the last attempt', async () => {
		const { server, mailer } = mailServer();
		server.down.add('genitore1@example.com');
		enqueueMail(db, clock, 'saldo_basso', null, [mail(1), mail(2)]);
		expect(await deliverDue(db, clock, mailer)).toEqual({ picked: 2, sent: 1, retrying: 1, givenUp: 0 });
		// Not due again before its wait has passed.
		clock.advance(RETRY_AFTER_MS[0] - 1);
		expect(await deliverDue(db, clock, mailer)).toMatchObject({ picked: 0 });
		for (const wait of RETRY_AFTER_MS) {
			clock.advance(wait);
			await deliverDue(db, clock, mailer);
		}
		expect(state()).toEqual([
			{ recipient: 'genitore1@example.com', attempts: RETRY_AFTER_MS.length + 1, sent: 0, failed: 1 },
			{ recipient: 'genitore2@example.com', attempts: 1, sent: 1, failed: 0 }
		]);
		expect(rows(db, 'SELECT last_error FROM mail_outbox WHERE failed_at IS NOT NULL')[0].last_error).toMatch(/451 try again later/);
		clock.advance(365 * 86_400_000);
		expect(await deliverDue(db, clock, mailer)).toMatchObject({ picked: 0 });
	});

	it('gives up at once on an address the mail server says does not exist', async () => {
		const { server, mailer } = mailServer();
		server.unknown.add('genitore1@example.com');
		enqueueMail(db, clock, 'sollecito', null, [mail(1)]);
		expect(await deliverDue(db, clock, mailer)).toEqual({ picked: 1, sent: 0, retrying: 0, givenUp: 1 });
		expect(state()).toEqual([{ recipient: 'genitore1@example.com', attempts: 1, sent: 0, failed: 1 }]);
	});

	it('a mail server back up delivers what waited', async () => {
		const { server, mailer } = mailServer();
		server.down.add('genitore1@example.com');
		enqueueMail(db, clock, 'ricarica', null, [mail(1)]);
		await deliverDue(db, clock, mailer);
		server.down.clear();
		clock.advance(RETRY_AFTER_MS[0]);
		expect(await deliverDue(db, clock, mailer)).toMatchObject({ sent: 1 });
		expect(server.received.map((m) => m.to)).toEqual(['genitore1@example.com']);
	});

	it('deletes sent e-mails after a week and given-up ones after a month, never one still waiting', async () => {
		const { server, mailer } = mailServer();
		server.down.add('genitore3@example.com');
		enqueueMail(db, clock, 'saldo_basso', null, [mail(1), mail(3)]);
		await deliverDue(db, clock, mailer);
		clock.advance(7 * 86_400_000 + 1);
		expect(purgeOutbox(db, clock)).toBe(1);
		expect(state().map((r) => r.recipient)).toEqual(['genitore3@example.com']);
		db.$client.prepare('UPDATE mail_outbox SET failed_at = ?').run(clock.now().getTime());
		clock.advance(30 * 86_400_000 + 1);
		expect(purgeOutbox(db, clock)).toBe(1);
		expect(state()).toEqual([]);
	});

	it('in the background drains a queue larger than a batch, and stopping waits for the batch in flight', async () => {
		const { server, mailer } = mailServer();
		enqueueMail(db, clock, 'saldo_basso', null, Array.from({ length: 120 }, (_, i) => mail(i)));
		const stop = startMailOutbox({ db, clock, mailer }, 60_000, { batch: 25 });
		await expect.poll(() => server.received.length).toBe(120);
		await stop();
		expect(state().every((r) => r.sent === 1)).toBe(true);
		enqueueMail(db, clock, 'saldo_basso', null, [mail(999)]);
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(server.received).toHaveLength(120);
	});
});
