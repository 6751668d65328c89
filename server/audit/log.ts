import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema.js';

export interface AuditEntry {
	tenantId: number | null;
	actorUserId: string | null;
	action: string;
	entity: string;
	entityId?: string | number;
	details?: Record<string, unknown>;
	ip?: string;
}

/** Append-only: database triggers refuse UPDATE and DELETE of its rows (migration 0008). */
export function recordAudit(db: Pick<Db, 'insert'>, clock: Clock, entry: AuditEntry): void {
	db.insert(auditLog)
		.values({
			tenantId: entry.tenantId,
			actorUserId: entry.actorUserId,
			action: entry.action,
			entity: entry.entity,
			entityId: String(entry.entityId ?? ''),
			details: JSON.stringify(entry.details ?? {}),
			ip: entry.ip ?? '',
			at: clock.now()
		})
		.run();
}
