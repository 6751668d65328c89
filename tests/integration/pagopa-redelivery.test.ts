import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { pagopaFixture } from '../helpers/pagopa.js';
import { gatewayFor } from '../../server/payments/pagopa/gateway-for.js';
import { checkLedger } from '../../server/ledger/accounts.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mensa-redelivery-'));
const cleanup: (() => unknown)[] = [];
afterAll(async () => {
	for (const c of cleanup.reverse()) await c();
	rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Our receiver behind a switch the test controls: first not even listening (down), then
 * answering 500, then passing the deliveries through to the real receiver.
 */
function receiverSwitch(port: number) {
	const state = { mode: 'error' as 'error' | 'forward', target: '', hits: 0 };
	let server: Server | null = null;
	return {
		state,
		listen: () =>
			new Promise<void>((resolve) => {
				server = createServer(async (req, res) => {
					state.hits++;
					const chunks: Buffer[] = [];
					for await (const c of req) chunks.push(c as Buffer);
					if (state.mode === 'error') return void res.writeHead(500).end('receiver broken');
					const answer = await fetch(state.target, { method: 'POST', headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' }, body: Buffer.concat(chunks) });
					res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
				}).listen(port, '127.0.0.1', resolve);
			}),
		close: () => new Promise((r) => (server ? server.close(r) : r(null)))
	};
}

it('redelivers a receipt through a receiver that is down, then failing, across a server restart, and credits it once', async () => {
	const port = await freePort();
	const env = { DATA_DIR: dataDir, PAGOPA_SIM_RECEIPT_URL: `http://127.0.0.1:${port}/api/pagopa/receipts`, PAGOPA_SIM_RETRY_MS: '200' };
	const first: TestServer = await startTestServer(env);
	let firstStopped = false;
	cleanup.push(() => firstStopped || first.stop());
	const f = pagopaFixture(join(dataDir, 'mensa.db'));
	cleanup.push(() => f.close());

	// An avviso, paid "at the tabaccheria" in the simulator's PSP page.
	const { payment, lines } = f.cart([f.line(f.luca.id, 1800)], 'pagopa_avviso');
	await gatewayFor(f.mazze, { origin: first.url, secrets: f.secrets() }).publishDebtPosition(f.ente, payment, lines);
	const before = f.balance(f.luca.id);
	const form = new URLSearchParams({ noticeNumber: payment.noticeNumber!, fiscalCode: f.ente.codiceFiscale, amount: '18,00' });
	const paid = await fetch(`${first.url}/simulatore-pagopa/psp`, { method: 'POST', headers: { origin: first.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: form });
	expect(await paid.text()).toContain('Pagato 18,00 €');

	const outbox = () => f.rows<{ copy: number; attempts: number; done: number | null; err: string | null }>('SELECT copy, attempts, delivered_at AS done, last_error AS err FROM sim_receipt_outbox ORDER BY copy');
	// Down: nothing listens, both copies keep failing and are rescheduled.
	await until(async () => outbox(), (rows) => rows.length === 2 && rows.every((r) => r.attempts >= 2 && r.err !== null));
	expect(outbox().every((r) => r.done === null)).toBe(true);

	// The server restarts; the outbox is in its database, so the deliveries go on.
	await first.stop();
	firstStopped = true;
	const receiver = receiverSwitch(port);
	await receiver.listen();
	cleanup.push(() => receiver.close());
	const second = await startTestServer(env);
	cleanup.push(() => second.stop());
	receiver.state.target = `${second.url}/api/pagopa/receipts`;

	// Each copy on its own backoff: wait until both have met the failing receiver, not just two hits.
	await until(async () => outbox(), (rows) => rows.every((r) => r.err?.startsWith('HTTP 500')), 30_000);
	expect(receiver.state.hits).toBeGreaterThanOrEqual(2);
	expect(outbox().every((r) => r.done === null)).toBe(true);
	expect(f.balance(f.luca.id)).toBe(before);

	receiver.state.mode = 'forward';
	await until(async () => outbox(), (rows) => rows.every((r) => r.done !== null), 30_000);
	expect(f.balance(f.luca.id)).toBe(before + 1800);
	expect(f.rows('SELECT status, redeliveries FROM receipts WHERE notice_number = ?', payment.noticeNumber)).toEqual([{ status: 'credited', redeliveries: 1 }]);
	expect(f.rows("SELECT count(*) AS n FROM ledger_transactions WHERE external_id = ?", `payment:${payment.id}`)).toEqual([{ n: 1 }]);
	expect(f.rows('SELECT status FROM payments WHERE id = ?', payment.id)).toEqual([{ status: 'paid' }]);
	expect(checkLedger(f.db)).toEqual([]);
});
