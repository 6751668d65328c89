import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedIn, testClient, type TestClient } from '../helpers/client.js';
import { createSealer } from '../../server/auth/sealed.js';
import { sealTenantSecret, type TenantSecretName } from '../../server/tenants/tenant-secrets.js';

/*
 * Mazzè's credentials sealed under another installation's key (a database moved without its key
 * file, or a damaged row): every path that needs one answers plainly — no 500, nothing owed —
 * and the admin is told to type them again, after which they work.
 */

const RECEIPT_SECRET = `ricevute-${'r'.repeat(30)}`;
const NEW_RECEIPT_SECRET = `nuovo-segreto-${'n'.repeat(26)}-WXYZ`;

let server: TestServer;
let db: Database.Database;
let maria: TestClient;
let admin: TestClient;
let mazze: { id: number; cf: string };

const receipt = (secret: string) =>
	fetch(`${server.url}/api/pagopa/receipts`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
		body: JSON.stringify({ receiptId: `prova-${randomBytes(4).toString('hex')}`, noticeNumber: '301000000000004242', fiscalCode: mazze.cf, creditorReferenceId: '01000000000004242', paymentAmount: 2000, outcome: 'OK', paymentDateTime: '2026-11-23T12:00:00' })
	});
const lastPayment = () => db.prepare('SELECT status, flag FROM payments ORDER BY id DESC LIMIT 1').get() as { status: string; flag: string } | undefined;

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	db = new Database(server.dbPath);
	db.pragma('busy_timeout = 5000');
	mazze = db.prepare("SELECT id, codice_fiscale_ente AS cf FROM tenants WHERE slug = 'mazze'").get() as { id: number; cf: string };
	const foreign = createSealer(randomBytes(32));
	const lost = (name: TenantSecretName, plain: string) => sealTenantSecret(foreign, 'mazze', name, plain);
	const settings = {
		receiptSecret: lost('receiptSecret', RECEIPT_SECRET),
		pagopa: { mode: 'live', checkoutBaseUrl: 'https://api.platform.pagopa.it', gpdBaseUrl: 'https://api.platform.pagopa.it', checkoutSubscriptionKey: lost('checkoutSubscriptionKey', 'chiave-checkout'), gpdSubscriptionKey: lost('gpdSubscriptionKey', 'chiave-gpd'), iban: 'IT60X0542811101000000123456', transferCategory: '9/0101108TS/' }
	};
	maria = await signedIn(server.url, 'maria.rossi@example.com');
	admin = await signedIn(server.url, 'admin@mensa-aperta.example');
	db.prepare(`UPDATE tenants SET spid_enabled = 1, oidc_issuer = 'https://identity.example.it', oidc_client_id = 'mensa-aperta', oidc_client_secret = ?, payment_settings = ? WHERE id = ?`).run(
		lost('oidcClientSecret', 'segreto-del-client'),
		JSON.stringify(settings),
		mazze.id
	);
});
afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('a Comune credential that does not open on this server', () => {
	it('SPID sign-in says to use e-mail and password, without calling the identity provider', async () => {
		const answer = await testClient(server.url).fetch(`${server.url}/login/mazze/spid`, { redirect: 'manual' });
		expect(answer.status).toBe(503);
		expect(await answer.text()).toContain('L’accesso con SPID non è disponibile in questo momento per il Comune di Mazzè: accedi con email e password');
		// The log line comes through the server's stdout pipe, a moment after the answer.
		await expect.poll(() => server.output()).toContain('Comune OIDC client secret unavailable');
	});

	it('a top-up is refused as pagoPA refuses a wrong key: the guardian is told to warn the ufficio, nothing is owed', async () => {
		const [luca] = (await maria.trpc.payments.ricarica.query()).accounts;
		for (const channel of ['pagopa_online', 'pagopa_avviso'] as const) {
			const refused = await failure(maria.trpc.payments.createCart.mutate({ lines: [{ consumerId: luca.consumerId, serviceGroupId: luca.serviceGroupId, amountCents: 2_000 }], channel, declaration: true }));
			expect([refused.data?.httpStatus, refused.message]).toEqual([503, 'Il Comune non risulta abilitato ai pagamenti pagoPA (chiave di accesso non valida). Avvisa l’ufficio scuola; non è stato addebitato nulla.']);
			expect(lastPayment()).toMatchObject({ status: 'cancelled', flag: expect.stringMatching(/nessun addebito/) });
		}
		await expect.poll(() => server.output()).toContain('mazze: chiave di Checkout non leggibile su questo server');
	});

	it('a receipt with the secret it hid authenticates nobody', async () => {
		expect((await receipt(RECEIPT_SECRET)).status).toBe(401);
	});

	it('the admin sees which must be typed again, cannot save without them, and once typed they are stored sealed and work', async () => {
		const shown = await admin.trpc.admin.tenant.query({ tenantId: mazze.id });
		expect(shown.unreadable.sort()).toEqual(['checkoutSubscriptionKey', 'gpdSubscriptionKey', 'oidcClientSecret', 'receiptSecret']);
		expect(shown.secrets).toMatchObject({ receiptSecret: null, oidcClientSecret: null });
		const refused = await failure(admin.trpc.admin.updateTenant.mutate({ ...shown.values, tenantId: mazze.id, receiptSecret: NEW_RECEIPT_SECRET }));
		expect(refused.data?.fieldErrors).toMatchObject({ checkoutSubscriptionKey: expect.stringMatching(/obbligatorio/), gpdSubscriptionKey: expect.stringMatching(/obbligatorio/), oidcClientSecret: expect.stringMatching(/obbligatorio/) });
		await admin.trpc.admin.updateTenant.mutate({ ...shown.values, tenantId: mazze.id, receiptSecret: NEW_RECEIPT_SECRET, checkoutSubscriptionKey: 'chiave-checkout-nuova', gpdSubscriptionKey: 'chiave-gpd-nuova', oidcClientSecret: 'segreto-del-client-nuovo' });
		expect((await admin.trpc.admin.tenant.query({ tenantId: mazze.id })).unreadable).toEqual([]);
		expect((await admin.trpc.admin.tenant.query({ tenantId: mazze.id })).secrets.receiptSecret).toBe('••••WXYZ');
		const stored = JSON.parse((db.prepare('SELECT payment_settings AS s FROM tenants WHERE id = ?').get(mazze.id) as { s: string }).s);
		expect(stored.receiptSecret).toMatch(/^sealed:/);
		expect((await receipt(NEW_RECEIPT_SECRET)).status).toBe(200);
		expect((await receipt(RECEIPT_SECRET)).status).toBe(401);
	});
});
