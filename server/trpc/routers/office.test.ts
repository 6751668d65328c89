import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { fixedClock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { schools, tenants } from '../../db/schema.js';
import { fixtureOf, seededDb } from '../../meals/test-fixture.js';
import type { Runtime } from '../../runtime.js';
import { appRouter } from '../app.js';
import { createCallerFactory } from '../init.js';

/*
 * School staff act on the schools the Comune delegates to them (DESIGN.md: "manages the
 * enrolments of the schools the Comune delegates to it"): when the ufficio takes a school back,
 * search, diets, day corrections and the kitchen's counts go with it, as the pupil list does.
 */

const NOW = '2026-11-24T07:00:00Z';
const createCaller = createCallerFactory(appRouter);

let db: Db;
let f: ReturnType<typeof fixtureOf>;

function infanziaStaff() {
	const user = f.infanziaStaff;
	const tenant = db.select().from(tenants).where(eq(tenants.id, user.tenantId!)).get()!;
	return createCaller({
		rt: { db, clock: fixedClock(NOW) } as unknown as Runtime,
		auth: {
			user,
			tenant,
			session: { id: 's', userId: user.id, secondFactorAt: new Date(NOW), createdAt: new Date(NOW), expiresAt: new Date(NOW) },
			roles: [{ role: 'school_staff', schoolId: f.school(f.mazze.id, 'infanzia').id }],
			secondFactorPending: false
		},
		edge: { ip: '127.0.0.1', resHeaders: new Headers(), setSessionCookie: () => undefined, clearSessionCookie: () => undefined }
	});
}

const correction = () => ({ consumerId: f.sofia.id, date: '2026-11-24', assenza: true, pastoInBianco: false, reason: 'telefonata della mamma' });

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
});

describe('school staff and the schools delegated to them', () => {
	it('while the school is delegated: they find the pupil with the diet, correct a day, see the counts', async () => {
		const staff = infanziaStaff();
		expect(await staff.office.searchConsumers({ q: 'sofia' })).toEqual([expect.objectContaining({ id: f.sofia.id, dietLabel: 'senza glutine' })]);
		expect((await staff.office.kitchenReport({ date: '2026-11-24' })).rows.length).toBeGreaterThan(0);
		expect(await staff.office.correctDay(correction())).toMatchObject({ status: 'corrected' });
	});

	it('once the Comune takes the school back: no search, no correction, no counts', async () => {
		db.update(schools).set({ managedBy: 'comune' }).where(eq(schools.id, f.school(f.mazze.id, 'infanzia').id)).run();
		const staff = infanziaStaff();
		expect(await staff.office.searchConsumers({ q: 'sofia' })).toEqual([]);
		const refused = await staff.office.correctDay(correction()).then(
			() => null,
			(e: unknown) => e
		);
		expect(refused).toBeInstanceOf(TRPCError);
		expect(refused).toMatchObject({ code: 'FORBIDDEN', message: 'Questo alunno non è tra quelli che puoi gestire.' });
		const marks = db.$client.prepare('SELECT count(*) FROM mark_events WHERE consumer_id = ?').pluck().get(f.sofia.id);
		expect(marks).toBe(0);
		expect(await staff.office.kitchenReport({ date: '2026-11-24' })).toMatchObject({ rows: [], totals: { pasti: 0 } });
	});
});
