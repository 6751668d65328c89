import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { consumers, enrolments } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import type { IsoDate } from '../calendar/dates.js';

export interface ConsumerPlacement {
	consumerId: number;
	schoolClassId: number | null;
	enrolments: { fromDate: IsoDate; toDate: IsoDate | null; status: string }[];
}

/** What the marks and the day list need to know of each consumer, in one query. */
export function loadPlacements(db: Db, scope: TenantScope, consumerIds: number[]): Map<number, ConsumerPlacement> {
	const out = new Map<number, ConsumerPlacement>();
	if (consumerIds.length === 0) return out;
	const rows = db
		.select({ consumerId: consumers.id, schoolClassId: consumers.schoolClassId, fromDate: enrolments.fromDate, toDate: enrolments.toDate, status: enrolments.status })
		.from(consumers)
		.leftJoin(enrolments, and(eq(enrolments.consumerId, consumers.id), eq(enrolments.tenantId, consumers.tenantId)))
		.where(scope.where(consumers, inArray(consumers.id, consumerIds)))
		.all();
	for (const r of rows) {
		const p = out.get(r.consumerId) ?? { consumerId: r.consumerId, schoolClassId: r.schoolClassId, enrolments: [] };
		if (r.fromDate && r.status) p.enrolments.push({ fromDate: r.fromDate, toDate: r.toDate, status: r.status });
		out.set(r.consumerId, p);
	}
	return out;
}

/** Booked by default: an active enrolment covering the day. */
export function isEnrolledOn(p: ConsumerPlacement, date: IsoDate): boolean {
	return p.enrolments.some((e) => e.status === 'attiva' && e.fromDate <= date && (e.toDate === null || date <= e.toDate));
}
