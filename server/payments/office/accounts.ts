import { asc, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { consumers, enrolments, ledgerAccounts, serviceGroups, services } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';

type Reader = Pick<Db, 'select' | 'selectDistinct'>;

export interface ConsumerRef {
	id: number;
	name: string;
	givenName: string;
	codiceFiscale: string;
}

export interface AccountView {
	serviceGroupId: number;
	groupName: string;
	balanceCents: number;
}

export function findConsumer(db: Reader, scope: TenantScope, consumerId: number): ConsumerRef | null {
	const c = db
		.select({ id: consumers.id, givenName: consumers.givenName, familyName: consumers.familyName, codiceFiscale: consumers.codiceFiscale })
		.from(consumers)
		.where(scope.where(consumers, eq(consumers.id, consumerId)))
		.get();
	return c ? { id: c.id, name: `${c.givenName} ${c.familyName}`, givenName: c.givenName, codiceFiscale: c.codiceFiscale } : null;
}

/**
 * The service groups a consumer has a prepaid account in, or is enrolled in (an account not yet
 * opened: balance zero), with the cached balance.
 */
export function accountsOf(db: Reader, scope: TenantScope, consumerId: number): AccountView[] {
	const enrolled = db
		.selectDistinct({ serviceGroupId: serviceGroups.id, groupName: serviceGroups.name })
		.from(enrolments)
		.innerJoin(services, eq(services.id, enrolments.serviceId))
		.innerJoin(serviceGroups, eq(serviceGroups.id, services.serviceGroupId))
		.where(scope.where(enrolments, eq(enrolments.consumerId, consumerId)))
		.all();
	const opened = db
		.select({ serviceGroupId: serviceGroups.id, groupName: serviceGroups.name, balanceCents: ledgerAccounts.balanceCents })
		.from(ledgerAccounts)
		.innerJoin(serviceGroups, eq(serviceGroups.id, ledgerAccounts.serviceGroupId))
		.where(scope.where(ledgerAccounts, eq(ledgerAccounts.kind, 'prepaid'), eq(ledgerAccounts.consumerId, consumerId)))
		.all();
	const byGroup = new Map<number, AccountView>(enrolled.map((e) => [e.serviceGroupId, { ...e, balanceCents: 0 }]));
	for (const a of opened) byGroup.set(a.serviceGroupId, a);
	return [...byGroup.values()].sort((a, b) => a.groupName.localeCompare(b.groupName, 'it') || a.serviceGroupId - b.serviceGroupId);
}

export function accountOf(db: Reader, scope: TenantScope, consumerId: number, serviceGroupId: number): AccountView | null {
	return accountsOf(db, scope, consumerId).find((a) => a.serviceGroupId === serviceGroupId) ?? null;
}

/**
 * Siblings are consumers whose enrolments share an applicant's fiscal code: the one family link
 * the Comune itself recorded. A guardian link alone proves nothing (anyone with a code has one).
 */
export function siblingsOf(db: Reader, scope: TenantScope, consumerId: number): ConsumerRef[] {
	const applicants = db
		.selectDistinct({ cf: enrolments.applicantFiscalCode })
		.from(enrolments)
		.where(scope.where(enrolments, eq(enrolments.consumerId, consumerId)))
		.all()
		.map((r) => r.cf);
	if (!applicants.length) return [];
	return db
		.selectDistinct({ id: consumers.id, givenName: consumers.givenName, familyName: consumers.familyName, codiceFiscale: consumers.codiceFiscale })
		.from(enrolments)
		.innerJoin(consumers, eq(consumers.id, enrolments.consumerId))
		.where(scope.where(enrolments, inArray(enrolments.applicantFiscalCode, applicants), ne(enrolments.consumerId, consumerId)))
		.orderBy(asc(consumers.givenName), asc(consumers.id))
		.all()
		.map((c) => ({ id: c.id, name: `${c.givenName} ${c.familyName}`, givenName: c.givenName, codiceFiscale: c.codiceFiscale }));
}

/** Looks a group up by id within the Comune. */
export function findServiceGroup(db: Reader, scope: TenantScope, serviceGroupId: number) {
	return db.select().from(serviceGroups).where(scope.where(serviceGroups, eq(serviceGroups.id, serviceGroupId))).get() ?? null;
}
