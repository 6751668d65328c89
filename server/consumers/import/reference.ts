import { eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { consumers, enrolments, schoolClasses, schoolYears, schools, services, tariffBands } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';

/**
 * Names in a file match names in the Comune whatever the case, accents, spaces and punctuation:
 * «SCUOLA PRIMARIA GIANNI RODARI» is 'Scuola primaria "Gianni Rodari"', «3ª B» is «3a b».
 */
export function nameKey(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/\p{Diacritic}/gu, '')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}]/gu, '');
}

type SchoolYear = typeof schoolYears.$inferSelect;

const CHUNK = 500;

function inChunks<T, R>(values: T[], read: (chunk: T[]) => R[]): R[] {
	const out: R[] = [];
	for (let i = 0; i < values.length; i += CHUNK) out.push(...read(values.slice(i, i + CHUNK)));
	return out;
}

/**
 * The Comune's names by key. Two that fold to the same key ("1ª A" and "1a A", two schools named
 * alike) are ambiguous: a line naming them is refused, never matched to whichever came last.
 */
export interface NameIndex<T> {
	unique: Map<string, T>;
	ambiguous: Set<string>;
}

function indexByKey<T>(rows: T[], keyOf: (row: T) => string): NameIndex<T> {
	const unique = new Map<string, T>();
	const ambiguous = new Set<string>();
	for (const row of rows) {
		const key = keyOf(row);
		if (ambiguous.has(key)) continue;
		if (unique.delete(key)) ambiguous.add(key);
		else unique.set(key, row);
	}
	return { unique, ambiguous };
}

export type Reference = ReturnType<typeof loadReference>;

/** What the lines are matched against: the Comune's names for the year, and the pupils the file names. */
export function loadReference(db: Db, scope: TenantScope, year: SchoolYear, fiscalCodes: string[]) {
	const byKey = <T extends { name: string }>(rows: T[]) => indexByKey(rows, (r) => nameKey(r.name));
	const bands = db.select().from(tariffBands).where(scope.where(tariffBands, eq(tariffBands.schoolYearId, year.id))).all();
	const classes = db.select().from(schoolClasses).where(scope.where(schoolClasses, eq(schoolClasses.schoolYearId, year.id))).all();
	const people = inChunks(fiscalCodes, (cfs) => db.select().from(consumers).where(scope.where(consumers, inArray(consumers.codiceFiscale, cfs))).all());
	const ids = people.map((p) => p.id);
	const enrolled = inChunks(ids, (chunk) =>
		db.select().from(enrolments).where(scope.where(enrolments, eq(enrolments.schoolYearId, year.id), inArray(enrolments.consumerId, chunk))).all()
	);
	return {
		year,
		schools: byKey(db.select().from(schools).where(scope.where(schools, isNull(schools.archivedAt))).all()),
		classes: indexByKey(classes, (c) => `${c.schoolId}|${nameKey(c.name)}`),
		classNames: new Map(classes.map((c) => [c.id, c.name])),
		services: byKey(db.select().from(services).where(scope.where(services)).all()),
		bands: byKey(bands),
		bandNames: new Map(bands.map((b) => [b.id, b.name])),
		consumers: new Map(people.map((p) => [p.codiceFiscale, p])),
		enrolments: new Map(enrolled.map((e) => [`${e.consumerId}|${e.serviceId}`, e]))
	};
}

