import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signedIn } from '../helpers/client.js';
import { until } from '../helpers/wait.js';
import { pagopaFixture } from '../helpers/pagopa.js';
import { livePagopaGateway } from '../../server/payments/pagopa/live.js';
import { checkoutReturnUrls, gatewayFor, SIMULATOR_SUBSCRIPTION_KEY } from '../../server/payments/pagopa/gateway-for.js';
import { PagopaError } from '../../server/payments/pagopa/errors.js';
import { markPending } from '../../server/payments/carts.js';
import { fixedClock } from '../../server/clock.js';

let server: TestServer;
let f: ReturnType<typeof pagopaFixture>;
beforeAll(async () => {
	server = await startTestServer();
	f = pagopaFixture(server.dbPath);
});
afterAll(async () => {
	f?.close();
	await server?.stop();
});

/** The real adapter, aimed at the simulator the test server serves. */
const adapter = (key = SIMULATOR_SUBSCRIPTION_KEY) =>
	livePagopaGateway({
		gpdBaseUrl: `${server.url}/simulatore-pagopa`,
		checkoutBaseUrl: `${server.url}/simulatore-pagopa`,
		gpdSubscriptionKey: key,
		checkoutSubscriptionKey: key,
		iban: 'IT60X0542811101000000123456',
		transferCategory: '9/0101108TS/',
		timeoutMs: 5000
	});
const lines = [{ consumerName: 'Luca Rossi', groupName: 'Refezione', amountCents: 2500 }];

describe('the live adapter against the simulator (contract)', () => {
	it('creates a debt position, and a retry that meets the 409 is a success', async () => {
		const { payment } = f.cart([f.line(f.luca.id, 2500)]);
		await adapter().publishDebtPosition(f.ente, payment, lines);
		await adapter().publishDebtPosition(f.ente, payment, lines);
		const positions = f.rows<{ iupd: string; status: string }>('SELECT iupd, status FROM sim_debt_positions WHERE iupd = ?', `${f.ente.codiceFiscale}-${payment.noticeNumber!.slice(1)}`);
		expect(positions).toEqual([{ iupd: `84001550015-${payment.noticeNumber!.slice(1)}`, status: 'VALID' }]);
		// The same iupd with another amount is not "already created": a clear error.
		const error = (await adapter().publishDebtPosition(f.ente, { ...payment, amountCents: 999 }, lines).catch((e: unknown) => e)) as PagopaError;
		expect(error).toBeInstanceOf(PagopaError);
		expect(error.code).toBe('CONFLICT');
	});

	it('gets a cart whose Location is the simulator’s payment page', async () => {
		const { payment } = f.cart([f.line(f.luca.id, 2500)]);
		const { location } = await adapter().startCheckout(f.ente, payment, lines, checkoutReturnUrls(server.url, payment.id), 'maria.rossi@example.com');
		expect(f.rows("SELECT json_extract(body, '$.idCart') AS idCart FROM sim_carts")).toContainEqual({ idCart: payment.noticeNumber });
		expect(location).toMatch(new RegExp(`^${server.url}/simulatore-pagopa/pagamento/[0-9a-f-]{36}$`));
		const page = await (await fetch(location)).text();
		expect(page).toContain('Simulatore — nessun pagamento reale');
		expect(page).toContain('25,00 €');
		expect(page).toContain('C.F. 84001550015');
	});

	it('answers 401 to a missing or wrong subscription key, and the adapter says so in Italian', async () => {
		const { payment } = f.cart([f.line(f.luca.id, 2500)]);
		const bare = await fetch(`${server.url}/simulatore-pagopa/organizations/84001550015/debtpositions?toPublish=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		expect(bare.status).toBe(401);
		expect(await bare.json()).toMatchObject({ statusCode: 401, message: expect.stringMatching(/missing subscription key/) });
		const error = (await adapter('sbagliata').startCheckout(f.ente, payment, lines, checkoutReturnUrls(server.url, payment.id), null).catch((e: unknown) => e)) as PagopaError;
		expect(error).toBeInstanceOf(PagopaError);
		expect(error.code).toBe('UNAUTHORIZED');
		expect(error.message).toMatch(/non risulta abilitato ai pagamenti pagoPA/);
		expect(error.detail).toMatch(/HTTP 401 .*invalid subscription key/);
	});

	it('answers 400 to a body GPD would refuse', async () => {
		const answer = await fetch(`${server.url}/simulatore-pagopa/organizations/84001550015/debtpositions?toPublish=true`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'Ocp-Apim-Subscription-Key': SIMULATOR_SUBSCRIPTION_KEY },
			body: JSON.stringify({ iupd: 'x', type: 'F', fiscalCode: 'X', fullName: 'X', companyName: 'X', paymentOption: [{ iuv: '1', amount: 10.5 }] })
		});
		expect(answer.status).toBe(400);
		expect(await answer.json()).toMatchObject({ status: 400, detail: expect.stringMatching(/paymentOption/) });
	});
});

describe('paying online through the simulator', () => {
	it('pays a cart of two children: back on the ok page the ricarica is credited and both balances are raised', async () => {
		const maria = await signedIn(server.url, 'maria.rossi@example.com');
		const before = { luca: f.balance(f.luca.id), sofia: f.balance(f.sofia.id) };
		const { payment, lines: named } = f.cart([f.line(f.luca.id, 3000), f.line(f.sofia.id, 2000)]);
		// What the payments router does: the gateway of the Comune (simulator mode), then pending.
		const { location } = await gatewayFor(f.mazze, { origin: server.url, secrets: f.secrets() }).startCheckout(f.ente, payment, named, checkoutReturnUrls(server.url, payment.id), null);
		markPending(f.db, fixedClock('2026-11-23T11:00:00Z'), payment.id, null);

		const paid = await fetch(`${location}?/paga`, { method: 'POST', headers: { origin: server.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
		expect(paid.status).toBe(303);
		expect(paid.headers.get('location')).toBe(`${server.url}/ricarica/esito/ok?pagamento=${payment.id}`);

		const page = await until(
			async () => (await maria.fetch(paid.headers.get('location')!)).text(),
			(html) => html.includes('Ricarica accreditata')
		);
		expect(page).toContain('Pagamento eseguito');
		expect(f.balance(f.luca.id)).toBe(before.luca + 3000);
		expect(f.balance(f.sofia.id)).toBe(before.sofia + 2000);
		// Both copies of the receipt arrive; the second changes nothing.
		await until(async () => f.rows<{ n: number }>('SELECT redeliveries AS n FROM receipts WHERE payment_id = ?', payment.id)[0]?.n, (n) => n === 1);
		expect(f.balance(f.luca.id)).toBe(before.luca + 3000);
		expect(f.rows('SELECT status FROM payments WHERE id = ?', payment.id)).toEqual([{ status: 'paid' }]);
		// The family is told, once, with both children's new balances.
		const mail = await server.smtp.waitFor('maria.rossi@example.com', (m) => m.subject.startsWith('Ricarica accreditata'));
		expect(mail.text).toContain(`Luca — Refezione: +30,00 €`);
		expect(mail.text).toContain(`Sofia — Refezione: +20,00 €`);
		expect(server.smtp.received.filter((m) => m.subject.startsWith('Ricarica accreditata'))).toHaveLength(1);
	});

	it('shows the cancel page, and no one else’s payment', async () => {
		const maria = await signedIn(server.url, 'maria.rossi@example.com');
		const { payment, lines: named } = f.cart([f.line(f.luca.id, 1000)]);
		const { location } = await gatewayFor(f.mazze, { origin: server.url, secrets: f.secrets() }).startCheckout(f.ente, payment, named, checkoutReturnUrls(server.url, payment.id), null);
		const cancelled = await fetch(`${location}?/annulla`, { method: 'POST', headers: { origin: server.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
		expect(cancelled.headers.get('location')).toBe(`${server.url}/ricarica/esito/annullato?pagamento=${payment.id}`);
		const page = await (await maria.fetch(cancelled.headers.get('location')!)).text();
		expect(page).toContain('Pagamento annullato');
		expect(page).toContain('Non è stato addebitato nulla');

		// A payment made by another guardian of the Comune is not Maria's to see.
		const { payment: theirs } = f.cart([f.line(f.luca.id, 1000)]);
		f.db.$client.prepare("UPDATE payments SET user_id = 'altro-genitore' WHERE id = ?").run(theirs.id);
		expect((await maria.fetch(`${server.url}/ricarica/esito/ok?pagamento=${theirs.id}`)).status).toBe(404);
		expect((await maria.fetch(`${server.url}/ricarica/esito/ok?pagamento=999999`)).status).toBe(404);
		expect((await maria.fetch(`${server.url}/ricarica/esito/ok?pagamento=abc`)).status).toBe(404);
		expect((await maria.fetch(`${server.url}/ricarica/esito/forse?pagamento=${payment.id}`)).status).toBe(404);
	});
});
