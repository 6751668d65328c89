import { asc, count, desc, eq, not, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { consumers, schoolClasses, schools } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import type { Paged } from '../../payments/office/payments-list.js';
import { hasGuardian } from '../access.js';
import { consumerMatch, foldedColumn } from '../search.js';
import { reachCondition, type OfficeActor } from './reach.js';

export const CONSUMERS_PAGE_SIZE = 25;

export interface ConsumerQuery {
	page: number;
	sort: 'name' | 'class' | 'cf';
	dir: 'asc' | 'desc';
	q: string;
	schoolId: number | null;
	schoolClassId: number | null;
	unlinked: boolean;
}

export interface ConsumerRow {
	id: number;
	name: string;
	codiceFiscale: string;
	school: string | null;
	schoolClass: string | null;
	linked: boolean;
}

/** The Comune's pupils (or the delegated schools' ones), filtered, sorted and one page at a time. */
export function listConsumers(db: Db, scope: TenantScope, actor: OfficeActor, query: ConsumerQuery): Paged<ConsumerRow> {
	const where = scope.where(
		consumers,
		reachCondition(db, actor),
		query.q.trim() ? consumerMatch(db, query.q) : undefined,
		query.schoolId !== null ? eq(schoolClasses.schoolId, query.schoolId) : undefined,
		query.schoolClassId !== null ? eq(consumers.schoolClassId, query.schoolClassId) : undefined,
		query.unlinked ? not(hasGuardian()) : undefined
	);
	const total = db.select({ n: count() }).from(consumers).leftJoin(schoolClasses, eq(schoolClasses.id, consumers.schoolClassId)).where(where).get()!.n;
	const pages = Math.max(1, Math.ceil(total / CONSUMERS_PAGE_SIZE));
	const page = Math.min(query.page, pages);
	const order = query.dir === 'asc' ? asc : desc;
	const byName = [order(foldedColumn(db, consumers.familyName)), order(foldedColumn(db, consumers.givenName))];
	const orderBy: SQL[] =
		query.sort === 'cf' ? [order(consumers.codiceFiscale)] : query.sort === 'class' ? [order(schools.name), order(schoolClasses.name), ...byName] : byName;
	const rows = db
		.select({
			id: consumers.id,
			givenName: consumers.givenName,
			familyName: consumers.familyName,
			codiceFiscale: consumers.codiceFiscale,
			school: schools.name,
			schoolClass: schoolClasses.name,
			linked: hasGuardian().mapWith(Boolean)
		})
		.from(consumers)
		.leftJoin(schoolClasses, eq(schoolClasses.id, consumers.schoolClassId))
		.leftJoin(schools, eq(schools.id, schoolClasses.schoolId))
		.where(where)
		.orderBy(...orderBy, asc(consumers.id))
		.limit(CONSUMERS_PAGE_SIZE)
		.offset((page - 1) * CONSUMERS_PAGE_SIZE)
		.all();
	return { rows: rows.map(({ givenName, familyName, ...r }) => ({ ...r, name: `${givenName} ${familyName}` })), total, page, pages };
}
