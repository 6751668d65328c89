import { count, desc, eq, gte, like, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog, users } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { zonedInstant } from '../calendar/zoned-time.js';
import { addDays, type IsoDate } from '../../src/lib/shared/dates.js';
import type { Paged } from '../payments/office/payments-list.js';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditQuery {
	page: number;
	/** exact action, e.g. "debtors.remind"; "" any */
	action: string;
	/** exact entity, e.g. "consumer"; "" any */
	entity: string;
	/** part of the e-mail of who acted */
	actor: string;
	from: IsoDate | '';
	to: IsoDate | '';
	/** part of the details (JSON) or of the entity's id */
	q: string;
}

export interface AuditRow {
	id: number;
	at: Date;
	action: string;
	entity: string;
	entityId: string;
	actorEmail: string | null;
	actorName: string | null;
	details: string;
	ip: string;
}

/** "%" and "_" typed by the operator are letters, not wildcards. */
const contains = (text: string) => sql`${`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`;

function conditions(query: AuditQuery, timeZone: string): (SQL | undefined)[] {
	return [
		query.action ? eq(auditLog.action, query.action) : undefined,
		query.entity ? eq(auditLog.entity, query.entity) : undefined,
		query.actor ? like(users.email, contains(query.actor)) : undefined,
		// days on the Comune's clock: "to" includes its whole day
		query.from ? gte(auditLog.at, zonedInstant(query.from, '00:00', timeZone)) : undefined,
		query.to ? lt(auditLog.at, zonedInstant(addDays(query.to, 1), '00:00', timeZone)) : undefined,
		query.q ? or(like(auditLog.details, contains(query.q)), like(auditLog.entityId, contains(query.q))) : undefined
	];
}

/**
 * The Comune's registro, newest first. Read only: audit_log refuses UPDATE and DELETE (triggers of
 * migration 0008). Entries without a Comune (platform administration) are nobody's here.
 */
export function searchAudit(db: Db, scope: TenantScope, timeZone: string, query: AuditQuery): Paged<AuditRow> {
	const where = scope.where(auditLog, ...conditions(query, timeZone));
	const base = () => db.select({ n: count() }).from(auditLog).leftJoin(users, eq(users.id, auditLog.actorUserId));
	const total = base().where(where).get()!.n;
	const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
	const page = Math.min(query.page, pages);
	const rows = db
		.select({
			id: auditLog.id,
			at: auditLog.at,
			action: auditLog.action,
			entity: auditLog.entity,
			entityId: auditLog.entityId,
			actorEmail: users.email,
			actorName: sql<string | null>`CASE WHEN ${users.id} IS NULL THEN NULL ELSE ${users.givenName} || ' ' || ${users.familyName} END`,
			details: auditLog.details,
			ip: auditLog.ip
		})
		.from(auditLog)
		.leftJoin(users, eq(users.id, auditLog.actorUserId))
		.where(where)
		.orderBy(desc(auditLog.at), desc(auditLog.id))
		.limit(AUDIT_PAGE_SIZE)
		.offset((page - 1) * AUDIT_PAGE_SIZE)
		.all();
	return { rows, total, page, pages };
}

/** The actions and entities the Comune's registro holds, for the filters' choices. */
export function auditVocabulary(db: Db, scope: TenantScope): { actions: string[]; entities: string[] } {
	const distinct = (column: typeof auditLog.action | typeof auditLog.entity) =>
		db.selectDistinct({ v: column }).from(auditLog).where(scope.where(auditLog)).orderBy(column).all().map((r) => r.v);
	return { actions: distinct(auditLog.action), entities: distinct(auditLog.entity) };
}
