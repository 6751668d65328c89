import { inArray } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { consumers } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { enqueueMail } from '../mail/outbox.js';
import { markReceiptMessage } from '../payments/alert-messages.js';
import { readNotificationPrefs } from '../../src/lib/shared/schemas.js';
import { formatLongDate, formatTime } from '../../src/lib/shared/dates.js';
import type { Mark, MarkResult } from './marks.js';

const what: Record<Mark['kind'], [string, string]> = {
	assenza: ['assente', 'presente (assenza tolta)'],
	pastoInBianco: ['pasto in bianco', 'pasto normale (pasto in bianco tolto)']
};

/**
 * "Mandami una ricevuta per ogni assenza o pasto in bianco registrato": one e-mail per request, with
 * every mark it applied and its receipt, queued in the marks' own transaction. A resend (duplicate)
 * or a refusal sends nothing: the parent already has that receipt, or the page said no.
 */
export function queueMarkReceipts(
	db: Db,
	clock: Clock,
	scope: TenantScope,
	tenant: { name: string; timezone: string },
	guardian: { givenName: string; email: string | null; contactEmail: string | null; notificationPrefs: string },
	marks: readonly Mark[],
	results: readonly MarkResult[]
): void {
	if (!readNotificationPrefs(guardian.notificationPrefs).markReceiptEmail) return;
	const to = guardian.contactEmail || guardian.email;
	const applied = results.flatMap((r, i) => (r.status === 'applied' ? [{ mark: marks[i], receipt: r.receipt }] : []));
	if (!to || applied.length === 0) return;
	const ids = [...new Set(applied.map((a) => a.mark.consumerId))];
	const names = new Map(db.select({ id: consumers.id, name: consumers.givenName }).from(consumers).where(scope.where(consumers, inArray(consumers.id, ids))).all().map((c) => [c.id, c.name]));
	const lines = applied.map(
		({ mark, receipt }) =>
			`${names.get(mark.consumerId) ?? 'Alunno'}, ${formatLongDate(mark.date)}: ${what[mark.kind][mark.value ? 0 : 1]} — ricevuta ${receipt.id}, registrata alle ${formatTime(receipt.receivedAt, tenant.timezone)}`
	);
	enqueueMail(db, clock, 'ricevuta', scope.tenantId, [markReceiptMessage(tenant, { givenName: guardian.givenName, email: to }, lines)]);
}
