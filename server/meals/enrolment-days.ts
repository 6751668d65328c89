import type { Db } from '../db/client.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { preparedFor } from '../db/prepared.js';
import type { IsoDate } from '../calendar/dates.js';

export interface ConsumerPlacement {
	consumerId: number;
	schoolClassId: number | null;
	enrolments: { fromDate: IsoDate; toDate: IsoDate | null; status: string }[];
}

// By the primary key (the unary + keeps SQLite off the tenant index, which would scan the Comune).
const placementRows = preparedFor((db) =>
	db.$client.prepare(`
		SELECT c.id AS consumerId, c.school_class_id AS schoolClassId, e.from_date AS fromDate, e.to_date AS toDate, e.status AS status
		FROM consumers c LEFT JOIN enrolments e ON e.consumer_id = c.id AND e.tenant_id = c.tenant_id
		WHERE c.id = @id AND +c.tenant_id = @tenant`)
);

/** What the marks and the day list need to know of each consumer. */
export function loadPlacements(db: Db, scope: TenantScope, consumerIds: number[]): Map<number, ConsumerPlacement> {
	const out = new Map<number, ConsumerPlacement>();
	for (const id of consumerIds) {
		const rows = placementRows(db).all({ id, tenant: scope.tenantId }) as { consumerId: number; schoolClassId: number | null; fromDate: string | null; toDate: string | null; status: string | null }[];
		if (rows.length === 0) continue;
		out.set(id, {
			consumerId: id,
			schoolClassId: rows[0].schoolClassId,
			enrolments: rows.filter((r) => r.fromDate && r.status).map((r) => ({ fromDate: r.fromDate!, toDate: r.toDate, status: r.status! }))
		});
	}
	return out;
}

/** Booked by default: an active enrolment covering the day. */
export function isEnrolledOn(p: ConsumerPlacement, date: IsoDate): boolean {
	return p.enrolments.some((e) => e.status === 'attiva' && e.fromDate <= date && (e.toDate === null || date <= e.toDate));
}
