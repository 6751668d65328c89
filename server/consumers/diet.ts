import { eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { consumers } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { recordAudit } from '../audit/log.js';

export type DietResult = { status: 'saved'; consumerId: number; dietLabel: string | null } | { status: 'rejected'; code: 'NOT_FOUND'; message: string };

/**
 * A special diet is a label the kitchen cooks by ("senza glutine"), never a medical document:
 * the certificate stays with the ufficio. The change counts from the next meals made final;
 * closed days keep the label they were cooked with.
 */
export function setDietLabel(db: Db, clock: Clock, scope: TenantScope, actorUserId: string, consumerId: number, label: string | null, ip = ''): DietResult {
	const dietLabel = label?.trim() ? label.trim() : null;
	return db.transaction((tx) => {
		const consumer = tx.select({ id: consumers.id, dietLabel: consumers.dietLabel }).from(consumers).where(scope.where(consumers, eq(consumers.id, consumerId))).get();
		if (!consumer) return { status: 'rejected', code: 'NOT_FOUND', message: 'Alunno non trovato.' } as const;
		if (consumer.dietLabel !== dietLabel) {
			tx.update(consumers).set({ dietLabel }).where(scope.where(consumers, eq(consumers.id, consumerId))).run();
			recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId, action: 'consumer.diet_label', entity: 'consumer', entityId: consumerId, details: { from: consumer.dietLabel, to: dietLabel }, ip });
		}
		return { status: 'saved', consumerId, dietLabel } as const;
	});
}
