import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fixedClock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { createGroupCommit } from '../../db/group-commit.js';
import { tenants, users } from '../../db/schema.js';
import { fixtureOf, rows, seededDb } from '../../meals/test-fixture.js';
import type { Runtime } from '../../runtime.js';
import { appRouter } from '../app.js';
import { createCallerFactory } from '../init.js';

/* "Mandami per e-mail una ricevuta di ogni assenza o pasto in bianco che segno dall’app", as Impostazioni saves it. */

const NOW = '2026-11-24T07:00:00Z'; // Tuesday, 08:00 in Rome
const createCaller = createCallerFactory(appRouter);

let db: Db;
let f: ReturnType<typeof fixtureOf>;

function maria() {
	const user = db.select().from(users).where(eq(users.id, f.maria.id)).get()!;
	const tenant = db.select().from(tenants).where(eq(tenants.id, user.tenantId!)).get()!;
	const rt = { db, clock: fixedClock(NOW), groupCommit: createGroupCommit(db) } as unknown as Runtime;
	return createCaller({
		rt,
		auth: { user, tenant, session: { id: 's', userId: user.id, secondFactorAt: null, createdAt: new Date(NOW), expiresAt: new Date(NOW) }, roles: [{ role: 'guardian', schoolId: null }], secondFactorPending: false },
		edge: { ip: '127.0.0.1', resHeaders: new Headers(), setSessionCookie: () => undefined, clearSessionCookie: () => undefined }
	});
}
const setPrefs = (markReceiptEmail: boolean) =>
	db.update(users).set({ notificationPrefs: JSON.stringify({ lowBalanceEmail: true, lowBalanceMeals: 3, markReceiptEmail, newsEmail: false }) }).where(eq(users.id, f.maria.id)).run();
const receipts = () => rows(db, "SELECT recipient, subject, body FROM mail_outbox WHERE kind = 'ricevuta'") as { recipient: string; subject: string; body: string }[];
const mark = (mutationId: string, date: string, value = true) => ({ mutationId, consumerId: f.luca.id, date, kind: 'assenza' as const, value });

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
});

describe('a receipt by e-mail for each mark', () => {
	it('when asked for: one e-mail per request with every mark applied and its receipt; a resend adds none', async () => {
		setPrefs(true);
		const batch = [mark('6d0b7c1e-0000-4000-8000-000000000001', '2026-11-25'), mark('6d0b7c1e-0000-4000-8000-000000000002', '2026-11-26')];
		const { results } = await maria().meals.mark({ marks: batch });
		expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
		const [mail] = receipts();
		expect(receipts()).toHaveLength(1);
		expect(mail.recipient).toBe('maria.rossi@example.com');
		expect(mail.subject).toBe('Ricevuta: 2 modifiche registrate — Comune di Mazzè');
		expect(mail.body).toContain('• Luca, mercoledì 25 novembre 2026: assente — ricevuta ');
		expect(mail.body).toContain('registrata il 24/11/2026 alle 08:00:00');
		await maria().meals.mark({ marks: batch });
		expect(receipts()).toHaveLength(1);
	});

	it('not asked for (the default): none; a refused mark sends none either', async () => {
		await maria().meals.mark({ marks: [mark('6d0b7c1e-0000-4000-8000-000000000003', '2026-11-25')] });
		expect(receipts()).toEqual([]);
		setPrefs(true);
		// Monday's cutoff has passed: refused, and the page says so; no receipt.
		const { results } = await maria().meals.mark({ marks: [mark('6d0b7c1e-0000-4000-8000-000000000004', '2026-11-23')] });
		expect(results[0].status).toBe('rejected');
		expect(receipts()).toEqual([]);
		// Settings damaged by hand: no receipt, and the mark goes through all the same.
		db.update(users).set({ notificationPrefs: '{not json' }).where(eq(users.id, f.maria.id)).run();
		expect((await maria().meals.mark({ marks: [mark('6d0b7c1e-0000-4000-8000-000000000005', '2026-11-27')] })).results[0].status).toBe('applied');
		expect(receipts()).toEqual([]);
		// An e-mail that cannot be queued at all (here: no outbox) never costs the marks.
		setPrefs(true);
		db.$client.exec('DROP TABLE mail_outbox');
		expect((await maria().meals.mark({ marks: [mark('6d0b7c1e-0000-4000-8000-000000000006', '2026-11-30')] })).results[0].status).toBe('applied');
		expect(rows(db, "SELECT outcome FROM mark_events WHERE mutation_id = '6d0b7c1e-0000-4000-8000-000000000006'")).toEqual([{ outcome: 'applied' }]);
	});
});
