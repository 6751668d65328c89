import { asc, eq, gte, inArray, isNull, ne, or, type SQL } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { consumers, enrolments, schoolClasses, schools, schoolYears, services } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import type { IsoDate } from '../../calendar/dates.js';
import { hasGuardian } from '../access.js';
import { issueActivationCode } from '../office/changes.js';
import { classInReach, consumerInReach, reachCondition, type OfficeActor } from '../office/reach.js';

export interface LetterSelection {
	/** the family of this pupil: every enrolment of the applicants of its enrolments */
	consumerId?: number;
	schoolClassId?: number;
	/** also enrolments whose pupil a guardian can already see, by a code or by SPID/CIE as the applicant (their families get a new code) */
	includeLinked: boolean;
}

export interface LetterChild {
	enrolmentId: number;
	name: string;
	codiceFiscale: string;
	school: string | null;
	schoolClass: string | null;
	service: string;
	year: string;
	code: string;
}

/** One letter per applicant: all their children in reach, each with a fresh code. */
export interface FamilyLetter {
	applicantFiscalCode: string;
	applicantName: string;
	children: LetterChild[];
}

export type LettersOutcome =
	| { status: 'issued'; letters: FamilyLetter[]; skippedLinked: number }
	| { status: 'rejected'; code: 'NOT_FOUND' | 'NOTHING_TO_PRINT'; message: string };

/**
 * Codes are kept only as hashes, so a letter cannot reprint a code: printing issues a new one for
 * each enrolment on it, in one transaction, and the codes printed before stop working.
 */
export function issueLetters(db: Db, clock: Clock, scope: TenantScope, actor: OfficeActor, firstOpenDay: IsoDate, selection: LetterSelection): LettersOutcome {
	return db.transaction((tx) => {
		let chosen: SQL | undefined;
		if (selection.consumerId !== undefined) {
			if (!consumerInReach(tx, scope, actor, selection.consumerId)) return { status: 'rejected', code: 'NOT_FOUND', message: 'Alunno non trovato in questo Comune.' };
			const applicants = tx.select({ cf: enrolments.applicantFiscalCode }).from(enrolments).where(scope.where(enrolments, eq(enrolments.consumerId, selection.consumerId)));
			chosen = inArray(enrolments.applicantFiscalCode, applicants);
		} else if (selection.schoolClassId !== undefined) {
			if (!classInReach(tx, scope, actor, selection.schoolClassId)) return { status: 'rejected', code: 'NOT_FOUND', message: 'Classe non trovata in questo Comune.' };
			chosen = eq(consumers.schoolClassId, selection.schoolClassId);
		}
		const rows = tx
			.select({
				enrolmentId: enrolments.id,
				applicantFiscalCode: enrolments.applicantFiscalCode,
				applicantName: enrolments.applicantName,
				givenName: consumers.givenName,
				familyName: consumers.familyName,
				codiceFiscale: consumers.codiceFiscale,
				school: schools.name,
				schoolClass: schoolClasses.name,
				service: services.name,
				year: schoolYears.label,
				linked: hasGuardian().mapWith(Boolean)
			})
			.from(enrolments)
			.innerJoin(consumers, eq(consumers.id, enrolments.consumerId))
			.innerJoin(services, eq(services.id, enrolments.serviceId))
			.innerJoin(schoolYears, eq(schoolYears.id, enrolments.schoolYearId))
			.leftJoin(schoolClasses, eq(schoolClasses.id, consumers.schoolClassId))
			.leftJoin(schools, eq(schools.id, schoolClasses.schoolId))
			// Still running or yet to start: an ended enrolment has nothing to activate.
			.where(scope.where(enrolments, ne(enrolments.status, 'cessata'), or(isNull(enrolments.toDate), gte(enrolments.toDate, firstOpenDay)), reachCondition(tx, actor), chosen))
			.orderBy(asc(enrolments.applicantName), asc(enrolments.applicantFiscalCode), asc(consumers.givenName), asc(enrolments.id))
			.all();
		const printed = selection.includeLinked ? rows : rows.filter((r) => !r.linked);
		const skippedLinked = rows.length - printed.length;
		if (printed.length === 0) {
			const message = skippedLinked
				? `Nessuna lettera da stampare: ${skippedLinked === 1 ? 'l’unica iscrizione scelta ha' : `tutte le ${skippedLinked} iscrizioni scelte hanno`} già un genitore collegato. Per stamparle comunque, scegli «anche per chi è già collegato».`
				: 'Nessuna lettera da stampare: nessuna iscrizione in corso per la scelta fatta.';
			return { status: 'rejected', code: 'NOTHING_TO_PRINT', message };
		}
		const families = new Map<string, FamilyLetter>();
		for (const r of printed) {
			const family = families.get(r.applicantFiscalCode) ?? { applicantFiscalCode: r.applicantFiscalCode, applicantName: r.applicantName, children: [] };
			families.set(r.applicantFiscalCode, family);
			family.children.push({
				enrolmentId: r.enrolmentId,
				name: `${r.givenName} ${r.familyName}`,
				codiceFiscale: r.codiceFiscale,
				school: r.school,
				schoolClass: r.schoolClass,
				service: r.service,
				year: r.year,
				code: issueActivationCode(tx, clock, scope, actor, r.enrolmentId, 'lettera')
			});
		}
		return { status: 'issued', letters: [...families.values()], skippedLinked };
	});
}


