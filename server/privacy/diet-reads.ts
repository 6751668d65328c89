/*
 * A diet label ("celiachia", "senza latte") is health data (GDPR art. 9): every view that shows
 * one leaves a trace of who saw which children's. One audit row per view, not per child, so a
 * class list costs one insert; a view that shows no label leaves none.
 */
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { recordAudit } from '../audit/log.js';

export interface DietReader {
	tenantId: number;
	userId: string;
	ip: string;
}

/** Who is reading, from a request's context (tRPC's, or anything of the same shape). */
export const dietReaderOf = (ctx: { scope: { tenantId: number }; auth: { user: { id: string } }; edge: { ip: string } }): DietReader => ({
	tenantId: ctx.scope.tenantId,
	userId: ctx.auth.user.id,
	ip: ctx.edge.ip
});

// The kitchen screen reloads its report every minute: one trace per person, day and quarter hour is enough.
const REPORT_READ_WINDOW_MS = 15 * 60_000;

function sameReportSeenLately(db: Db, clock: Clock, reader: DietReader, date: string): boolean {
	const since = clock.now().getTime() - REPORT_READ_WINDOW_MS;
	return !!db.$client
		.prepare(`SELECT 1 FROM audit_log WHERE tenant_id = ? AND at >= ? AND action = 'diet.read' AND entity = 'kitchen_report' AND entity_id = ? AND actor_user_id = ? LIMIT 1`)
		.get(reader.tenantId, since, date, reader.userId);
}

/** entity 'consumer' names the children seen; 'kitchen_report' counts by class, so it names the day. */
export function recordDietRead(
	db: Db,
	clock: Clock,
	reader: DietReader,
	seen: { entity: 'consumer'; consumers: { id: number; dietLabel: string | null }[] } | { entity: 'kitchen_report'; date: string; diets: number }
): void {
	if (seen.entity === 'consumer') {
		const ids = seen.consumers.filter((c) => c.dietLabel).map((c) => c.id);
		if (ids.length === 0) return;
		recordAudit(db, clock, { tenantId: reader.tenantId, actorUserId: reader.userId, action: 'diet.read', entity: 'consumer', entityId: ids.length === 1 ? ids[0] : '', details: { consumerIds: ids }, ip: reader.ip });
		return;
	}
	if (seen.diets === 0 || sameReportSeenLately(db, clock, reader, seen.date)) return;
	recordAudit(db, clock, { tenantId: reader.tenantId, actorUserId: reader.userId, action: 'diet.read', entity: 'kitchen_report', entityId: seen.date, details: { diets: seen.diets }, ip: reader.ip });
}
