import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedIn, testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';
import { avvisoQrText } from '../helpers/avviso-qr.js';

/*
 * "Genera avviso" against the real server and its pagoPA simulator: Maria's cart for Luca and
 * Sofia becomes one published avviso, the PDF is hers alone, and the copy by e-mail reaches the
 * SMTP server with the PDF attached and a QR code a PSP can read.
 */

const MAZZE_CF = '84001550015';
let server: TestServer;
let maria: ReturnType<typeof testClient>;
let avviso: { paymentId: number; noticeNumber: string; noticeNumberFormatted: string; amountCents: number; dueDate: string; pdfUrl: string };

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	maria = await signedIn(server.url, 'maria.rossi@example.com');
});
afterAll(() => server?.stop());

/** A second family of Mazzè: Giovanni Ferrari registers and verifies his address. */
async function giovanni() {
	const client = testClient(server.url);
	const account = { tenantSlug: 'mazze', givenName: 'Giovanni', familyName: 'Ferrari', codiceFiscale: 'FRRGNN82H15L219L', email: 'giovanni.ferrari@example.com', password: 'Refezione-Mazzè-42' };
	await client.trpc.auth.register.mutate({ ...account, privacyAccepted: true });
	const link = linkIn(await server.smtp.waitFor(account.email, (m) => m.subject.includes('Conferma')), '/verifica');
	await client.trpc.auth.verifyEmail.mutate({ token: link.searchParams.get('token')! });
	await client.trpc.auth.login.mutate({ tenantSlug: 'mazze', email: account.email, password: account.password });
	return client;
}

describe('genera avviso', () => {
	it('turns a cart for Luca and Sofia into one published avviso', async () => {
		const { pause, accounts } = await maria.trpc.payments.ricarica.query();
		expect(pause).toBeNull();
		expect(accounts.map((a) => `${a.givenName} — ${a.groupName}`)).toEqual(['Luca — Refezione', 'Sofia — Refezione']);

		const answer = await maria.trpc.payments.createCart.mutate({
			lines: accounts.map((a, i) => ({ consumerId: a.consumerId, serviceGroupId: a.serviceGroupId, amountCents: [2_000, 5_000][i] })),
			channel: 'pagopa_avviso',
			declaration: true
		});
		if (answer.channel !== 'pagopa_avviso') throw new Error('expected an avviso');
		avviso = answer;
		expect(avviso).toMatchObject({ amountCents: 7_000, dueDate: '2026-12-23', pdfUrl: `/ricarica/avviso/${avviso.paymentId}` });
		expect(avviso.noticeNumber).toMatch(/^3\d{17}$/);

		const [listed] = await maria.trpc.payments.list.query();
		expect(listed).toMatchObject({ id: avviso.paymentId, status: 'pending', channel: 'pagopa_avviso', noticeNumberFormatted: avviso.noticeNumberFormatted });
		const db = new Database(server.dbPath, { readonly: true });
		try {
			expect(db.prepare('select count(*) from payment_items where payment_id = ?').pluck().get(avviso.paymentId)).toBe(2);
		} finally {
			db.close();
		}
	});

	it('serves the PDF to Maria, with the QR code of the notice, the CF ente and the amount', async () => {
		const response = await maria.fetch(`${server.url}${avviso.pdfUrl}`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/pdf');
		expect(response.headers.get('content-disposition')).toBe(`attachment; filename="avviso-${avviso.noticeNumber}.pdf"`);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const pdf = new Uint8Array(await response.arrayBuffer());
		expect(avvisoQrText(pdf)).toBe(`PAGOPA|002|${avviso.noticeNumber}|${MAZZE_CF}|7000`);
	});

	it('shows the PDF to nobody else: another guardian of the Comune gets 404, a stranger the login', async () => {
		const other = await giovanni();
		const response = await other.fetch(`${server.url}${avviso.pdfUrl}`);
		expect(response.status).toBe(404);
		expect(await response.text()).not.toContain('%PDF');
		const mailed = await failure(other.trpc.payments.emailAvviso.mutate({ paymentId: avviso.paymentId }));
		expect(mailed.data?.httpStatus).toBe(404);
		expect(await other.trpc.payments.list.query()).toEqual([]);

		const anonymous = await fetch(`${server.url}${avviso.pdfUrl}`, { redirect: 'manual' });
		expect(anonymous.status).toBe(303);
		expect((await fetch(`${server.url}/ricarica/avviso/999999`, { headers: { cookie: maria.cookieHeader() } })).status).toBe(404);
	});

	it('mails the avviso to Maria with the PDF attached, its QR code readable', async () => {
		expect(await maria.trpc.payments.emailAvviso.mutate({ paymentId: avviso.paymentId })).toEqual({ sentTo: 'maria.rossi@example.com' });
		const mail = await server.smtp.waitFor('maria.rossi@example.com', (m) => m.subject.startsWith('Avviso di pagamento'));
		expect(mail.subject).toBe(`Avviso di pagamento ${avviso.noticeNumberFormatted} — Comune di Mazzè`);
		expect(mail.text).toContain('Importo: 70,00 €');
		expect(mail.text).toContain('Da pagare entro il 23/12/2026');
		expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([[`avviso-${avviso.noticeNumber}.pdf`, 'application/pdf']]);
		expect(avvisoQrText(mail.attachments[0].content)).toBe(`PAGOPA|002|${avviso.noticeNumber}|${MAZZE_CF}|7000`);
	});
});

describe('pausa pagamenti', () => {
	const pause = { from: '2026-11-20', resumeOn: '2027-01-10', message: 'Ricariche sospese per il cambio di gestore: riprendono il 10 gennaio.' };

	/** The Comune's settings, written to the server's own database file as the back office would. */
	function setPause(value: typeof pause | null) {
		const db = new Database(server.dbPath);
		try {
			db.prepare(`update tenants set payment_settings = @settings where slug = 'mazze'`).run({ settings: JSON.stringify({ pause: value }) });
		} finally {
			db.close();
		}
	}
	const paymentCount = () => {
		const db = new Database(server.dbPath, { readonly: true });
		try {
			return db.prepare('select count(*) from payments').pluck().get();
		} finally {
			db.close();
		}
	};

	it('shows the Comune’s message instead of the cart, and creates nothing', async () => {
		setPause(pause);
		try {
			const html = await (await maria.fetch(`${server.url}/ricarica`)).text();
			expect(html).toMatch(/<div class="alert alert-warning[^"]*" role="status">[^]*Pagamenti sospesi[^]*Ricariche sospese per il cambio di gestore/);
			expect(html).not.toContain('Aggiungi al carrello');
			expect(html).not.toContain('Importo per Luca');

			const before = paymentCount();
			const { accounts } = await maria.trpc.payments.ricarica.query();
			expect(accounts).toEqual([]);
			const refused = await failure(
				maria.trpc.payments.createCart.mutate({ lines: [{ consumerId: 1, serviceGroupId: 1, amountCents: 2_000 }], channel: 'pagopa_online', declaration: true })
			);
			expect([refused.data?.httpStatus, refused.message]).toEqual([412, pause.message]);
			expect(paymentCount()).toBe(before);
		} finally {
			setPause(null);
		}
	});
});
