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

export type Reference = ReturnType<typeof loadReference>;

/** What the lines are matched against: the Comune's names for the year, and the pupils the file names. */
export function loadReference(db: Db, scope: TenantScope, year: SchoolYear, fiscalCodes: string[]) {
	const byKey = <T extends { name: string }>(rows: T[]) => new Map(rows.map((r) => [nameKey(r.name), r]));
	const classes = db.select().from(schoolClasses).where(scope.where(schoolClasses, eq(schoolClasses.schoolYearId, year.id))).all();
	const people = inChunks(fiscalCodes, (cfs) => db.select().from(consumers).where(scope.where(consumers, inArray(consumers.codiceFiscale, cfs))).all());
	const ids = people.map((p) => p.id);
	const enrolled = inChunks(ids, (chunk) =>
		db.select().from(enrolments).where(scope.where(enrolments, eq(enrolments.schoolYearId, year.id), inArray(enrolments.consumerId, chunk))).all()
	);
	return {
		year,
		schools: byKey(db.select().from(schools).where(scope.where(schools, isNull(schools.archivedAt))).all()),
		classes: new Map(classes.map((c) => [`${c.schoolId}|${nameKey(c.name)}`, c])),
		classNames: new Map(classes.map((c) => [c.id, c.name])),
		services: byKey(db.select().from(services).where(scope.where(services)).all()),
		bands: byKey(db.select().from(tariffBands).where(scope.where(tariffBands, eq(tariffBands.schoolYearId, year.id))).all()),
		consumers: new Map(people.map((p) => [p.codiceFiscale, p])),
		enrolments: new Map(enrolled.map((e) => [`${e.consumerId}|${e.serviceId}`, e]))
	};
}

