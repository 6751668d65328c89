import { count, eq, gte, isNull, or, type SQL } from 'drizzle-orm';
import type { ArchiveInput } from '../../src/lib/shared/setup-schemas.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { consumers, enrolments, schoolClasses, schoolYears, schools } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import type { IsoDate } from '../calendar/dates.js';
import { recordAudit } from '../audit/log.js';
import type { Actor } from '../users/invitations.js';
import { notFound, refused, saved, type SetupResult } from './outcome.js';

/*
 * Schools, classes and school years are archived, never deleted: enrolments, meals and postings
 * keep pointing at them. Archived ones leave the forms, the import and the calendar; they stay in
 * the history. Each kind is one row here so the three follow the same rule.
 */

interface Archivable {
	table: typeof schools | typeof schoolClasses | typeof schoolYears;
	/** which classes hold the pupils that keep it in use */
	classesOf: (id: number) => SQL;
	name: (row: { name?: string; label?: string }) => string;
	notFound: string;
	/** "…ha ancora 2 alunni iscritti: <hint>" */
	hint: string;
	audit: string;
}

const kinds: Record<ArchiveInput['kind'], Archivable> = {
	school: {
		table: schools,
		classesOf: (id) => eq(schoolClasses.schoolId, id),
		name: (r) => r.name!,
		notFound: 'Scuola non trovata.',
		hint: 'sposta gli alunni o chiudi le iscrizioni prima di archiviarla',
		audit: 'school'
	},
	schoolClass: {
		table: schoolClasses,
		classesOf: (id) => eq(schoolClasses.id, id),
		name: (r) => `La classe ${r.name!}`,
		notFound: 'Classe non trovata.',
		hint: 'spostali in un’altra classe o chiudi le iscrizioni prima di archiviarla',
		audit: 'school_class'
	},
	schoolYear: {
		table: schoolYears,
		classesOf: (id) => eq(schoolClasses.schoolYearId, id),
		name: (r) => `L’anno scolastico ${r.label!}`,
		notFound: 'Anno scolastico non trovato.',
		hint: 'chiudi le iscrizioni prima di archiviarlo',
		audit: 'school_year'
	}
};

/** Pupils placed in those classes whose enrolment still runs today. */
function pupilsStillEnrolled(db: Db, scope: TenantScope, inClasses: SQL, today: IsoDate): number {
	return db
		.select({ n: count() })
		.from(enrolments)
		.innerJoin(consumers, eq(consumers.id, enrolments.consumerId))
		.innerJoin(schoolClasses, eq(schoolClasses.id, consumers.schoolClassId))
		.where(scope.where(enrolments, inClasses, eq(enrolments.status, 'attiva'), or(isNull(enrolments.toDate), gte(enrolments.toDate, today))))
		.get()!.n;
}

/**
 * An archived school has no service days (calendar/service-days.ts) and an archived class or year
 * leaves the forms: archiving one that still has pupils enrolled would stop their meals or strand
 * them without a word, so it is refused until they leave. A class of an archived year comes back
 * only with its year.
 */
export function setArchived(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: ArchiveInput & { today: IsoDate }): SetupResult<number> {
	const { kind, id, archived } = input;
	const k = kinds[kind];
	return db.transaction(() => {
		const row = db.select().from(k.table).where(scope.where(k.table, eq(k.table.id, id))).get() as { archivedAt: Date | null; name?: string; label?: string; schoolYearId?: number } | undefined;
		if (!row) return notFound(k.notFound);
		if ((row.archivedAt !== null) === archived) return saved(id);
		const name = k.name(row);
		if (archived) {
			const enrolled = pupilsStillEnrolled(db, scope, k.classesOf(id), input.today);
			if (enrolled) return refused(`${name} ha ancora ${enrolled === 1 ? 'un alunno iscritto' : `${enrolled} alunni iscritti`}: ${k.hint}.`);
		} else if (row.schoolYearId !== undefined) {
			const year = db.select().from(schoolYears).where(scope.where(schoolYears, eq(schoolYears.id, row.schoolYearId))).get()!;
			if (year.archivedAt) return refused(`L’anno scolastico ${year.label} è archiviato: ripristina prima l’anno.`);
		}
		db.update(k.table).set({ archivedAt: archived ? clock.now() : null }).where(scope.where(k.table, eq(k.table.id, id))).run();
		recordAudit(db, clock, {
			tenantId: scope.tenantId,
			actorUserId: actor.userId,
			action: `${k.audit}.${archived ? 'archive' : 'restore'}`,
			entity: k.audit,
			entityId: id,
			details: { name: row.name ?? row.label },
			ip: actor.ip
		});
		return saved(id);
	});
}
