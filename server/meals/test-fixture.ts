/*
 * Shared by the meals/calendar/ledger unit tests (not a test file itself): the demo seed in an
 * in-memory database, and the ids the tests need by name.
 */
import Database from 'better-sqlite3';
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { fixedClock } from '../clock.js';
import { openDb, type Db } from '../db/client.js';
import * as schema from '../db/schema.js';
import { consumers, enrolments, memberships, schoolClasses, schools, schoolYears, tenants, users } from '../db/schema.js';
import { tenantScope } from '../db/tenant-scope.js';
import { seedDemo } from '../seed/demo.js';
import type { MarkActor } from './marks.js';

export type TestClock = ReturnType<typeof fixedClock>;

/** A clock in November 2026: school year 2026/27, 2026-09-14..2027-06-10. */
export const NOV_2026 = '2026-11-02T06:00:00.000Z';

const seeded = new Map<string, Buffer>();

/** The demo seed, made once per seed instant and then copied (argon2 makes seeding slow-ish). */
export async function seededDb(at: string = NOV_2026): Promise<Db> {
	let image = seeded.get(at);
	if (!image) {
		const db = openDb(':memory:');
		await seedDemo(db, fixedClock(at));
		image = db.$client.serialize();
		db.$client.close();
		seeded.set(at, image);
	}
	return fromImage(image);
}

export function fromImage(image: Buffer): Db {
	const sqlite = new Database(image);
	sqlite.pragma('foreign_keys = ON');
	return drizzle(sqlite, { schema }) as Db;
}

export function cloneDb(db: Db): Db {
	return fromImage(db.$client.serialize());
}

export function fixtureOf(db: Db) {
	const tenant = (slug: string) => db.select().from(tenants).where(eq(tenants.slug, slug)).get()!;
	const mazze = tenant('mazze');
	const chiusi = tenant('chiusi-della-verna');
	const consumer = (givenName: string) => db.select().from(consumers).where(eq(consumers.givenName, givenName)).get()!;
	const enrolmentOf = (consumerId: number) => db.select().from(enrolments).where(eq(enrolments.consumerId, consumerId)).get()!;
	const user = (email: string) => db.select().from(users).where(eq(users.email, email)).get()!;
	const cls = (tenantId: number, name: string) => db.select().from(schoolClasses).where(and(eq(schoolClasses.tenantId, tenantId), eq(schoolClasses.name, name))).get()!;
	const school = (tenantId: number, level: 'infanzia' | 'primaria' | 'secondaria') =>
		db.select().from(schools).where(and(eq(schools.tenantId, tenantId), eq(schools.level, level))).get()!;
	const year = (tenantId: number) => db.select().from(schoolYears).where(eq(schoolYears.tenantId, tenantId)).get()!;
	const luca = consumer('Luca');
	const sofia = consumer('Sofia');
	const anna = consumer('Anna');
	const tommaso = consumer('Tommaso');
	const maria = user('maria.rossi@example.com');
	const operator = user('ufficio@mazze.example.it');
	const infanziaStaff = user('infanzia@mazze.example.it');
	const staffSchoolIds = db
		.select({ schoolId: memberships.schoolId })
		.from(memberships)
		.where(eq(memberships.userId, infanziaStaff.id))
		.all()
		.map((m) => m.schoolId!);
	return {
		db,
		mazze,
		chiusi,
		/** re-read: tests change cutoff_time */
		tenant,
		scope: tenantScope(mazze.id),
		chiusiScope: tenantScope(chiusi.id),
		luca,
		sofia,
		anna,
		tommaso,
		enrolmentOf,
		maria,
		operator,
		infanziaStaff,
		staffSchoolIds,
		cls,
		school,
		year,
		guardian(ids: number[] = [luca.id, sofia.id], userId = maria.id): MarkActor {
			return { userId, channel: 'app', mayMark: (id) => ids.includes(id), bypassCutoff: false };
		}
	};
}

/** Rome wall time → instant, written out so the tests do not reuse the code under test. */
export function rome(date: string, time: string, summer: boolean): Date {
	return new Date(`${date}T${time}${summer ? '+02:00' : '+01:00'}`);
}

export function rows(db: Db, sql: string, ...params: unknown[]): Record<string, unknown>[] {
	return db.$client.prepare(sql).all(...params) as Record<string, unknown>[];
}
