import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { fixedClock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { tenants } from '../../db/schema.js';
import type { MailMessage } from '../../mail/mailer.js';
import { fixtureOf, seededDb } from '../../meals/test-fixture.js';
import { startRicarica } from '../../payments/ricarica.js';
import type { Runtime } from '../../runtime.js';
import type { SessionUser } from '../../auth/session.js';
import { appRouter } from '../app.js';
import { createCallerFactory } from '../init.js';

/*
 * The payments procedures as the browser calls them, minus HTTP: validation of the cart the page
 * kept in sessionStorage, the refusals and their codes, and the avviso e-mail.
 */

const NOW = '2026-11-23T11:00:00Z';
const createCaller = createCallerFactory(appRouter);
const count = (db: Db, table: string) => db.$client.prepare(`select count(*) from ${table}`).pluck().get() as number;
const writes = (db: Db) => ['payments', 'payment_items', 'notice_counters', 'ledger_postings'].map((t) => count(db, t));

let db: Db;
let f: ReturnType<typeof fixtureOf>;
let sent: MailMessage[];
let group: number;

function callerFor(user: SessionUser) {
	const rt = { db, clock: fixedClock(NOW), config: { origin: 'http://127.0.0.1:9' }, mailer: { send: async (m: MailMessage) => void sent.push(m) } };
	const tenant = db.select().from(tenants).where(eq(tenants.id, user.tenantId!)).get()!;
	return createCaller({
		rt: rt as unknown as Runtime,
		auth: { user, tenant, session: { id: 's', userId: user.id, secondFactorAt: null, createdAt: new Date(NOW), expiresAt: new Date(NOW) }, roles: [{ role: 'guardian', schoolId: null }], secondFactorPending: false },
		edge: { ip: '127.0.0.1', resHeaders: new Headers(), setSessionCookie: () => undefined, clearSessionCookie: () => undefined }
	});
}

async function refusal(call: Promise<unknown>): Promise<TRPCError> {
	try {
		await call;
	} catch (e) {
		if (e instanceof TRPCError) return e;
		throw e;
	}
	throw new Error('expected a refusal');
}

/** An avviso of Maria's, published by a pagoPA that always says yes. */
async function mariasAvviso() {
	const ok = { publishDebtPosition: async () => undefined, startCheckout: async () => ({ location: 'https://checkout.example' }) };
	const outcome = await startRicarica(
		{ db, clock: fixedClock(NOW), scope: f.scope, tenant: f.tenant('mazze'), gateway: ok, origin: 'http://127.0.0.1:9' },
		f.maria,
		'pagopa_avviso',
		[{ consumerId: f.luca.id, serviceGroupId: group, amountCents: 3_000 }]
	);
	if (outcome.status !== 'avviso') throw new Error(outcome.status);
	return outcome;
}

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	sent = [];
	group = (await callerFor(f.maria).payments.ricarica()).accounts[0].serviceGroupId;
});

describe('payments.createCart refuses a cart it must not take, and writes nothing', () => {
	const cases: [string, () => unknown, string, RegExp][] = [
		['over 1.000,00 €', () => ({ lines: [{ consumerId: f.luca.id, serviceGroupId: group, amountCents: 100_001 }] }), 'lines.0.amountCents', /da 1,00 € a 1\.000,00 €/],
		['under 1,00 €', () => ({ lines: [{ consumerId: f.luca.id, serviceGroupId: group, amountCents: 99 }] }), 'lines.0.amountCents', /da 1,00 € a 1\.000,00 €/],
		['11 lines', () => ({ lines: Array.from({ length: 11 }, (_, i) => ({ consumerId: i + 1, serviceGroupId: group, amountCents: 1_000 })) }), 'lines', /Al massimo 10/],
		['the same child and service twice', () => ({ lines: [1, 2].map(() => ({ consumerId: f.luca.id, serviceGroupId: group, amountCents: 1_000 })) }), 'lines.1', /due volte/],
		['an empty cart', () => ({ lines: [] }), 'lines', /vuoto/],
		['no declaration', () => ({ lines: [{ consumerId: f.luca.id, serviceGroupId: group, amountCents: 1_000 }], declaration: false }), 'declaration', /informativa/]
	];
	for (const [name, input, field, message] of cases) {
		it(name, async () => {
			const before = writes(db);
			const e = await refusal(callerFor(f.maria).payments.createCart({ channel: 'pagopa_avviso', declaration: true, ...(input() as object) } as never));
			expect(e.code).toBe('BAD_REQUEST');
			expect(e.cause).toBeInstanceOf(ZodError);
			const issue = (e.cause as ZodError).issues.find((i) => i.path.join('.') === field);
			expect(issue?.message).toMatch(message);
			expect(writes(db)).toEqual(before);
		});
	}

	it('another family’s child: NOT_FOUND, as if there were no such child', async () => {
		const before = writes(db);
		const e = await refusal(
			callerFor(f.maria).payments.createCart({
				channel: 'pagopa_online',
				declaration: true,
				lines: [
					{ consumerId: f.luca.id, serviceGroupId: group, amountCents: 2_000 },
					{ consumerId: f.anna.id, serviceGroupId: group, amountCents: 2_000 }
				]
			})
		);
		expect(e.code).toBe('NOT_FOUND');
		expect(e.message).toBe('Uno dei consumatori del carrello non è tra i tuoi figli.');
		expect(writes(db)).toEqual(before);
	});

	it('payments paused: the Comune’s message, no accounts offered, nothing created', async () => {
		const pause = { from: '2026-11-20', resumeOn: '2027-01-10', message: 'Ricariche sospese fino al 10 gennaio per il cambio di gestore.' };
		db.update(tenants).set({ paymentSettings: JSON.stringify({ pause }) }).where(eq(tenants.id, f.mazze.id)).run();
		const caller = callerFor(f.maria);
		expect(await caller.payments.ricarica()).toEqual({ pause: { message: pause.message, resumeOn: '2027-01-10' }, accounts: [] });
		const before = writes(db);
		const e = await refusal(caller.payments.createCart({ channel: 'pagopa_avviso', declaration: true, lines: [{ consumerId: f.luca.id, serviceGroupId: group, amountCents: 2_000 }] }));
		expect([e.code, e.message]).toEqual(['PRECONDITION_FAILED', pause.message]);
		expect(writes(db)).toEqual(before);
	});
});

describe('payments.createCart when pagoPA does not answer', () => {
	it('says so, cancels the payment (nothing to pay) and credits nothing', async () => {
		// The simulator is reached over HTTP at the origin: nothing listens on port 9 here.
		const postings = count(db, 'ledger_postings');
		const e = await refusal(
			callerFor(f.maria).payments.createCart({ channel: 'pagopa_avviso', declaration: true, lines: [{ consumerId: f.luca.id, serviceGroupId: group, amountCents: 2_000 }] })
		);
		expect(e.code).toBe('SERVICE_UNAVAILABLE');
		expect(e.message).toMatch(/^pagoPA non risponde.*[Rr]iprova fra qualche minuto.*non è stato addebitato nulla/);
		expect((await callerFor(f.maria).payments.list()).map((p) => p.status)).toEqual(['cancelled']);
		expect(count(db, 'ledger_postings')).toBe(postings);
	});
});

describe('payments.emailAvviso', () => {
	it('mails the PDF to Maria’s address, named after the notice number', async () => {
		const avviso = await mariasAvviso();
		expect(await callerFor(f.maria).payments.emailAvviso({ paymentId: avviso.paymentId })).toEqual({ sentTo: 'maria.rossi@example.com' });
		expect(sent).toHaveLength(1);
		expect(sent[0].subject).toContain(avviso.noticeNumberFormatted);
		expect(sent[0].attachments?.map((a) => [a.filename, a.contentType])).toEqual([[`avviso-${avviso.noticeNumber}.pdf`, 'application/pdf']]);
		expect(sent[0].attachments![0].content.subarray(0, 5).toString()).toBe('%PDF-');
	});

	it('someone else’s avviso is not found, and nothing is sent', async () => {
		const avviso = await mariasAvviso();
		const other = { ...f.maria, id: 'another-guardian', email: 'altro@example.com', contactEmail: '' };
		const e = await refusal(callerFor(other).payments.emailAvviso({ paymentId: avviso.paymentId }));
		expect(e.code).toBe('NOT_FOUND');
		expect(sent).toEqual([]);
	});

	it('is rate limited per user: the sixth within the hour is refused', async () => {
		const avviso = await mariasAvviso();
		const caller = callerFor(f.maria);
		for (let i = 0; i < 5; i++) await caller.payments.emailAvviso({ paymentId: avviso.paymentId });
		const e = await refusal(caller.payments.emailAvviso({ paymentId: avviso.paymentId }));
		expect(e.code).toBe('TOO_MANY_REQUESTS');
		expect(e.message).toMatch(/Troppi tentativi/);
		expect(sent).toHaveLength(5);
	});
});

describe('payments.list', () => {
	it('holds Maria’s own payments with their state and grouped notice number', async () => {
		const avviso = await mariasAvviso();
		expect(await callerFor(f.maria).payments.list()).toMatchObject([
			{ id: avviso.paymentId, status: 'pending', channel: 'pagopa_avviso', amountCents: 3_000, noticeNumberFormatted: avviso.noticeNumberFormatted }
		]);
		expect(await callerFor({ ...f.maria, id: 'another-guardian' }).payments.list()).toEqual([]);
	});
});
