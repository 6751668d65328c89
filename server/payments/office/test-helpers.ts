/*
 * Shared by the office payments unit tests (not a test file itself): the demo seed, its Refezione
 * groups and a way to read balances without the code under test.
 */
import { and, eq } from 'drizzle-orm';
import { fixedClock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { serviceGroups } from '../../db/schema.js';
import { fixtureOf, NOV_2026, rows, seededDb } from '../../meals/test-fixture.js';

export async function officeFixture() {
	const db: Db = await seededDb();
	const f = fixtureOf(db);
	const group = (tenantId: number) => db.select().from(serviceGroups).where(and(eq(serviceGroups.tenantId, tenantId), eq(serviceGroups.name, 'Refezione'))).get()!.id;
	return {
		...f,
		clock: fixedClock(NOV_2026),
		refezione: group(f.mazze.id),
		chiusiRefezione: group(f.chiusi.id),
		actor: { userId: f.operator.id, name: 'Ufficio Scuola Mazzè', ip: '10.0.0.7' },
		balance: (consumerId: number) => (rows(db, "SELECT coalesce(sum(balance_cents), 0) AS b FROM ledger_accounts WHERE kind = 'prepaid' AND consumer_id = ?", consumerId)[0].b as number),
		count: (table: string) => rows(db, `SELECT count(*) AS n FROM ${table}`)[0].n as number
	};
}
export type OfficeFixture = Awaited<ReturnType<typeof officeFixture>>;
