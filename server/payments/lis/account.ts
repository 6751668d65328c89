import { and, eq, inArray } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { consumers, enrolments, serviceGroups, services, tenants } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import { canSeeConsumer, type Guardian } from '../../consumers/access.js';
import { lisCodeFor } from './code.js';

export interface PuntoLisAccount {
	code: string;
	consumerId: number;
	consumerName: string;
	serviceGroupId: number;
	serviceGroup: string;
	comune: string;
}

/**
 * The Punto LIS card of one of the guardian's children in one service group, or null when the
 * child is not theirs or not enrolled in the group (active or suspended): the page then answers
 * 404, the same for another family's child and for an id that does not exist.
 */
export function puntoLisAccount(db: Db, clock: Clock, scope: TenantScope, guardian: Guardian, consumerId: number, serviceGroupId: number): PuntoLisAccount | null {
	if (!canSeeConsumer(db, scope, guardian, consumerId)) return null;
	const enrolled = db
		.select({ givenName: consumers.givenName, familyName: consumers.familyName, group: serviceGroups.name })
		.from(enrolments)
		.innerJoin(consumers, eq(consumers.id, enrolments.consumerId))
		.innerJoin(services, eq(services.id, enrolments.serviceId))
		.innerJoin(serviceGroups, eq(serviceGroups.id, services.serviceGroupId))
		.where(
			scope.where(
				enrolments,
				eq(enrolments.consumerId, consumerId),
				and(eq(services.serviceGroupId, serviceGroupId), eq(serviceGroups.tenantId, scope.tenantId)),
				inArray(enrolments.status, ['attiva', 'sospesa'])
			)
		)
		.get();
	if (!enrolled) return null;
	const comune = db.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, scope.tenantId)).get()!.name;
	return {
		code: lisCodeFor(db, clock, scope, consumerId, serviceGroupId),
		consumerId,
		consumerName: `${enrolled.givenName} ${enrolled.familyName}`,
		serviceGroupId,
		serviceGroup: enrolled.group,
		comune
	};
}

