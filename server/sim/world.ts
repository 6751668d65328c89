/*
 * The simulated world: the demo seed in a real SQLite file, and who acts in it, read back from
 * the database (ordered by id, so a seed always sees the same people in the same order).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { openDb, type Db } from '../db/client.js';
import { seedDemo } from '../seed/demo.js';
import { addFamilies, addThirdComune } from './families.js';
import type { Prng } from './prng.js';
import { tenants as tenantsTable } from '../db/schema.js';
import type { Tenant } from '../tenants/tenants.js';

export interface SimGuardian {
	id: string;
	givenName: string;
	familyName: string;
	codiceFiscale: string | null;
	fiscalCodeVerifiedAt: Date | null;
	tenantId: number;
	/** consumer id → service group id */
	children: { consumerId: number; serviceGroupId: number }[];
}

export interface World {
	path: string;
	db: Db;
	tenants: Tenant[];
	guardians: SimGuardian[];
	operators: Map<number, string>;
	reopen(): void;
	dispose(): void;
}

export async function createWorld(clock: Clock, rnd: Prng): Promise<World> {
	const dir = mkdtempSync(join(tmpdir(), 'mensa-sim-'));
	const path = join(dir, 'sim.db');
	let db = openDb(path);
	await seedDemo(db, clock);
	const third = addThirdComune(db, clock.now());
	for (const t of db.select().from(tenantsTable).orderBy(tenantsTable.id).all()) addFamilies(db, rnd, t.id, t.id === third ? 36 : 24, clock.now());
	const q = <T>(sql: string) => db.$client.prepare(sql).all() as T[];
	const tenants = db.select().from(tenantsTable).orderBy(tenantsTable.id).all();
	const links = q<{ userId: string; consumerId: number; serviceGroupId: number }>(
		`SELECT g.user_id AS userId, g.consumer_id AS consumerId, s.service_group_id AS serviceGroupId FROM guardian_links g
		 JOIN enrolments e ON e.id = g.enrolment_id JOIN services s ON s.id = e.service_id ORDER BY g.id`
	);
	const users = q<{ id: string; givenName: string; familyName: string; codiceFiscale: string | null; tenantId: number }>(
		`SELECT id, given_name AS givenName, family_name AS familyName, codice_fiscale AS codiceFiscale, tenant_id AS tenantId FROM users ORDER BY email`
	);
	const guardians = users
		.map((u) => ({ ...u, fiscalCodeVerifiedAt: null, children: links.filter((l) => l.userId === u.id).map(({ consumerId, serviceGroupId }) => ({ consumerId, serviceGroupId })) }))
		.filter((g) => g.children.length > 0);
	const operators = new Map(
		q<{ tenantId: number; userId: string }>(`SELECT tenant_id AS tenantId, user_id AS userId FROM memberships WHERE role = 'operator' ORDER BY user_id`).map((m) => [m.tenantId, m.userId])
	);
	return {
		path,
		get db() {
			return db;
		},
		tenants,
		guardians,
		operators,
		reopen() {
			db.$client.close();
			db = openDb(path);
		},
		dispose() {
			db.$client.close();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
