/*
 * A family, for anonymisation: the children and the guardians that reach each other through a
 * guardian link, an applicant's fiscal code on an enrolment, or a guardian whose fiscal code
 * SPID/CIE proved. Only a proved code joins a user to an enrolment (a typed one proves nothing,
 * as in consumers/access.ts), so nobody else's account is swept in.
 */
import { and, eq, inArray, isNotNull, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { consumers, enrolments, guardianLinks, users } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';

export interface Family {
	consumerIds: number[];
	guardianIds: string[];
}

export function familyOf(db: Pick<Db, 'select' | 'selectDistinct'>, scope: TenantScope, consumerId: number): Family | null {
	const start = db.select({ id: consumers.id }).from(consumers).where(scope.where(consumers, eq(consumers.id, consumerId))).get();
	if (!start) return null;
	const children = new Set([start.id]);
	const guardians = new Set<string>();
	// A family is a handful of rows: widen until a round adds nobody.
	for (let size = 0; size !== children.size + guardians.size; ) {
		size = children.size + guardians.size;
		const ids = [...children];
		const applicants = db
			.selectDistinct({ cf: enrolments.applicantFiscalCode })
			.from(enrolments)
			.where(scope.where(enrolments, inArray(enrolments.consumerId, ids)))
			.all()
			.map((r) => r.cf);
		const linked = db.select({ id: guardianLinks.userId }).from(guardianLinks).where(scope.where(guardianLinks, inArray(guardianLinks.consumerId, ids))).all();
		const proved = db
			.select({ id: users.id })
			.from(users)
			.where(and(eq(users.tenantId, scope.tenantId), isNotNull(users.fiscalCodeVerifiedAt), inArray(users.codiceFiscale, applicants)))
			.all();
		for (const g of [...linked, ...proved]) guardians.add(g.id);
		const provedCodes = db
			.select({ cf: users.codiceFiscale })
			.from(users)
			.where(and(inArray(users.id, [...guardians]), isNotNull(users.fiscalCodeVerifiedAt)))
			.all()
			.map((r) => r.cf!);
		const reached = [
			...db.select({ id: guardianLinks.consumerId }).from(guardianLinks).where(scope.where(guardianLinks, inArray(guardianLinks.userId, [...guardians]))).all(),
			...db
				.select({ id: enrolments.consumerId })
				.from(enrolments)
				.where(scope.where(enrolments, or(inArray(enrolments.applicantFiscalCode, applicants), inArray(enrolments.applicantFiscalCode, provedCodes))))
				.all()
		];
		for (const c of reached) children.add(c.id);
	}
	return { consumerIds: [...children].sort((a, b) => a - b), guardianIds: [...guardians].sort() };
}

/**
 * Retention of personal data (README, "Privacy"): kept while the family uses the service and for
 * the whole following school year (a late payment, a dispute, a re-enrolment), anonymised from
 * the 1st of September after it. The ledger's amounts stay 10 years (art. 2220 c.c.) but name
 * nobody once the names are gone.
 */
export function anonymisableFrom(lastEnd: string): string {
	const [year, month] = lastEnd.split('-').map(Number);
	const startYear = month >= 9 ? year : year - 1;
	return `${startYear + 2}-09-01`;
}
