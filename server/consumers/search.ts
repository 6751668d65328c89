import { and, asc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { foldForSearch } from '../../src/lib/shared/text.js';
import type { Db } from '../db/client.js';
import { consumers, schoolClasses, schools } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';

export const CONSUMER_SEARCH_LIMIT = 20;
export const MIN_CONSUMER_SEARCH_LENGTH = 2;

export interface ConsumerHit {
	id: number;
	name: string;
	school: string | null;
	schoolClass: string | null;
	dietLabel: string | null;
}

const FOLD_FN = 'mensa_fold';
const withFold = new WeakSet<Database.Database>();

/**
 * SQLite's lower() and LIKE fold ASCII only: "nicolo" must find "Nicolò", so the same folding as
 * the Comune picker runs inside the query. Consumers have no folded column yet (a schema change):
 * this scans the Comune's consumers, fine for thousands; a Roma-sized Comune wants a stored,
 * indexed search name.
 */
function ensureFold(client: Database.Database): void {
	if (withFold.has(client)) return;
	client.function(FOLD_FN, { deterministic: true }, (v: unknown) => (typeof v === 'string' ? foldForSearch(v) : null));
	withFold.add(client);
}

/** A name column as the search folds it, for an order an operator expects: "de Luca" among the D, "Àlberti" among the A. */
export function foldedColumn(db: Db, column: SQLiteColumn): SQL {
	ensureFold(db.$client);
	return sql`${sql.raw(FOLD_FN)}(${column})`;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The condition "name (any order of the words) or codice fiscale matches", also for the back office's paged list. */
export function consumerMatch(db: Db, query: string): SQL {
	const folded = foldForSearch(query);
	ensureFold(db.$client);
	const words = folded.split(' ').filter(Boolean);
	const name = sql`${sql.raw(FOLD_FN)}(${consumers.givenName} || ' ' || ${consumers.familyName})`;
	const byName = and(...words.map((w) => sql`${name} LIKE ${`%${escapeLike(w)}%`} ESCAPE '\\'`))!;
	const cf = folded.replace(/\s/g, '').toUpperCase();
	const byFiscalCode: SQL | undefined = /^[A-Z0-9]{6,16}$/.test(cf) ? sql`${consumers.codiceFiscale} LIKE ${`${cf}%`}` : undefined;
	return byFiscalCode ? sql`(${byName} OR ${byFiscalCode})` : byName;
}

/**
 * Pupils by name (any order of the words, case and accents ignored) or by codice fiscale.
 * `schoolIds` null: the whole Comune (operator); otherwise only pupils placed in those schools.
 */
export function searchConsumers(db: Db, scope: TenantScope, query: string, schoolIds: number[] | null): ConsumerHit[] {
	const folded = foldForSearch(query);
	if (folded.length < MIN_CONSUMER_SEARCH_LENGTH) return [];
	if (schoolIds !== null && schoolIds.length === 0) return [];
	const where: (SQL | undefined)[] = [consumerMatch(db, folded)];
	if (schoolIds !== null) where.push(isNotNull(consumers.schoolClassId), inArray(schoolClasses.schoolId, schoolIds));
	return db
		.select({
			id: consumers.id,
			givenName: consumers.givenName,
			familyName: consumers.familyName,
			school: schools.name,
			schoolClass: schoolClasses.name,
			dietLabel: consumers.dietLabel
		})
		.from(consumers)
		.leftJoin(schoolClasses, eq(schoolClasses.id, consumers.schoolClassId))
		.leftJoin(schools, eq(schools.id, schoolClasses.schoolId))
		.where(scope.where(consumers, ...where))
		.orderBy(asc(consumers.familyName), asc(consumers.givenName), asc(consumers.id))
		.limit(CONSUMER_SEARCH_LIMIT)
		.all()
		.map(({ givenName, familyName, ...rest }) => ({ ...rest, name: `${givenName} ${familyName}` }));
}
