import { eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { serviceGroups, services } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { recordAudit } from '../audit/log.js';
import type { Actor } from '../users/invitations.js';
import { notFound, saved, type SetupResult } from '../schools/outcome.js';

/*
 * Service groups (each owns one prepaid account per child: Refezione) and their services (Mensa).
 * Created and renamed, never deleted: accounts, enrolments and meals point at them.
 */

export function createServiceGroup(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: { name: string }): SetupResult<number> {
	return db.transaction(() => {
		const id = db.insert(serviceGroups).values({ tenantId: scope.tenantId, name: input.name, createdAt: clock.now() }).returning({ id: serviceGroups.id }).get().id;
		recordAudit(db, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'tariffs.group.create', entity: 'service_group', entityId: id, details: { after: input }, ip: actor.ip });
		return saved(id);
	});
}

export function renameServiceGroup(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: { serviceGroupId: number; name: string }): SetupResult<number> {
	return db.transaction(() => {
		const before = db.select().from(serviceGroups).where(scope.where(serviceGroups, eq(serviceGroups.id, input.serviceGroupId))).get();
		if (!before) return notFound('Gruppo di servizi non trovato.');
		db.update(serviceGroups).set({ name: input.name }).where(scope.where(serviceGroups, eq(serviceGroups.id, before.id))).run();
		recordAudit(db, clock, {
			tenantId: scope.tenantId,
			actorUserId: actor.userId,
			action: 'tariffs.group.rename',
			entity: 'service_group',
			entityId: before.id,
			details: { before: { name: before.name }, after: { name: input.name } },
			ip: actor.ip
		});
		return saved(before.id);
	});
}

export function createService(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: { serviceGroupId: number; name: string }): SetupResult<number> {
	return db.transaction(() => {
		const group = db.select().from(serviceGroups).where(scope.where(serviceGroups, eq(serviceGroups.id, input.serviceGroupId))).get();
		if (!group) return notFound('Gruppo di servizi non trovato.');
		const id = db.insert(services).values({ tenantId: scope.tenantId, serviceGroupId: group.id, name: input.name, createdAt: clock.now() }).returning({ id: services.id }).get().id;
		recordAudit(db, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'tariffs.service.create', entity: 'service', entityId: id, details: { after: input }, ip: actor.ip });
		return saved(id);
	});
}

export function renameService(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: { serviceId: number; name: string }): SetupResult<number> {
	return db.transaction(() => {
		const before = db.select().from(services).where(scope.where(services, eq(services.id, input.serviceId))).get();
		if (!before) return notFound('Servizio non trovato.');
		db.update(services).set({ name: input.name }).where(scope.where(services, eq(services.id, before.id))).run();
		recordAudit(db, clock, {
			tenantId: scope.tenantId,
			actorUserId: actor.userId,
			action: 'tariffs.service.rename',
			entity: 'service',
			entityId: before.id,
			details: { before: { name: before.name }, after: { name: input.name } },
			ip: actor.ip
		});
		return saved(before.id);
	});
}
