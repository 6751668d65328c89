import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';
import { signedIn } from '../helpers/client.js';
import { creditDirectly } from '../helpers/ledger.js';

/*
 * The e-mails that tell families about their balance go through the outbox: written with the
 * change, sent by the server afterwards. Shown here with the real server, a real SMTP server and
 * the day-close CLI: a sollecito written while the mail server is down survives a SIGKILL and
 * arrives, once, when it is back; the alerts of a day closed from the command line are sent by
 * the running server.
 */

let server: TestServer;
let sqlite: Database.Database;
const id = (sql: string) => sqlite.prepare(sql).pluck().get() as number;
const outbox = () => sqlite.prepare('SELECT kind, recipient, attempts, sent_at IS NOT NULL AS sent, last_error IS NOT NULL AS failed FROM mail_outbox ORDER BY id').all();
const setClock = (baseUrl: string, iso: string) =>
	fetch(`${baseUrl}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin: baseUrl }, body: JSON.stringify({ now: iso }) });

beforeAll(async () => {
	// Nothing listens on this port: the mail server is down.
	server = await startTestServer({ DAY_CLOSE: 'off', SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
	sqlite = new Database(server.dbPath, { readonly: true, fileMustExist: true });
});
afterAll(async () => {
	sqlite?.close();
	await server?.stop();
});

describe('mail outbox', () => {
	it('keeps a sollecito written while the mail server is down through a crash, and sends it once when the server is back', async () => {
		const luca = id("SELECT id FROM consumers WHERE given_name = 'Luca'");
		const refezione = id("SELECT g.id FROM service_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'mazze'");
		creditDirectly(server.dbPath, { consumerId: luca, serviceGroupId: refezione, amountCents: -100_000, valueDate: '2026-11-16', description: 'Pasti non pagati', externalId: 'debt-luca' });
		const ufficio = await signedIn(server.url, 'ufficio@mazze.example.it');
		const sent = await ufficio.trpc.officeDebtors.send.mutate({ requestId: randomUUID(), accountIds: null, schoolId: null, minDebt: '' });
		// The operator hears "sent" at once: the e-mail is on its way, in the outbox.
		expect(sent).toMatchObject({ emails: 1 });
		await expect.poll(outbox).toEqual([{ kind: 'sollecito', recipient: 'maria.rossi@example.com', attempts: 1, sent: 0, failed: 1 }]);

		await server.crash();
		await server.restart({ SMTP_URL: server.smtp.url });
		// Tried again a minute after the failed attempt: move the server's clock past it.
		await setClock(server.url, '2026-11-23T11:05:00Z');
		const mail = await server.smtp.waitFor('maria.rossi@example.com', (m) => m.subject.startsWith('Sollecito'));
		expect(mail.text).toContain('mancano 1.000,00 €');
		await expect.poll(outbox).toEqual([{ kind: 'sollecito', recipient: 'maria.rossi@example.com', attempts: 2, sent: 1, failed: 0 }]);
		await new Promise((resolve) => setTimeout(resolve, 2_500));
		expect(server.smtp.received.filter((m) => m.subject.startsWith('Sollecito'))).toHaveLength(1);
	});

	it('sends the low-balance alerts of a day closed by the CLI, through the running server', () => {
		const cli = spawnSync('npx', ['tsx', 'server/jobs/day-close-cli.ts', '--tenant', 'mazze', '--date', '2026-11-23', '--force'], {
			env: { ...process.env, DATABASE_PATH: server.dbPath, ORIGIN: server.url },
			encoding: 'utf8'
		});
		expect(cli.stderr).not.toMatch(/Error/);
		expect(cli.stdout).toMatch(/mazze 2026-11-23: chiusa, \d+ pasti, \d+ centesimi, [1-9]\d* avvisi di saldo basso in coda/);
		return expect
			.poll(() => server.smtp.received.filter((m) => m.to === 'maria.rossi@example.com' && /saldo .*negativo|sta per finire/i.test(m.subject)).length)
			.toBeGreaterThan(0);
	});
});
