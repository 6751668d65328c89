import { inArray } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { consumers } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { enqueueMail } from '../mail/outbox.js';
import type { MailMessage } from '../mail/mailer.js';
import { signature } from '../payments/alert-messages.js';
import { readNotificationPrefs } from '../../src/lib/shared/schemas.js';
import { formatDateIt, formatLongDate, formatTime, zonedDateOf } from '../../src/lib/shared/dates.js';
import type { Mark, MarkResult } from './marks.js';
import { mailOf } from '../payments/ricarica.js';
import { logLine } from '../log.js';

const what: Record<Mark['kind'], [string, string]> = {
	assenza: ['assente', 'presente (assenza tolta)'],
	pastoInBianco: ['pasto in bianco', 'pasto normale (pasto in bianco tolto)']
};

/**
 * "Mandami per e-mail una ricevuta di ogni assenza o pasto in bianco che segno dall’app": one e-mail per request, with
 * every mark it applied and its receipt, queued in the marks' own transaction. A resend (duplicate)
 * or a refusal sends nothing: the parent already has that receipt, or the page said no. In a
 * savepoint of its own: an e-mail that cannot be queued is logged, and never costs the marks.
 */
export function queueMarkReceipts(
	db: Db,
	clock: Clock,
	scope: TenantScope,
	tenant: { name: string; timezone: string },
	guardian: { givenName: string; email: string | null; contactEmail: string; notificationPrefs: string },
	marks: readonly Mark[],
	results: readonly MarkResult[],
	log: (line: string, error: unknown) => void = logLine
): void {
	try {
		db.transaction(() => queue(db, clock, scope, tenant, guardian, marks, results));
	} catch (error) {
		log('[ricevute] ricevuta delle segnalazioni non messa in coda', error);
	}
}

function queue(
	db: Db,
	clock: Clock,
	scope: TenantScope,
	tenant: { name: string; timezone: string },
	guardian: { givenName: string; email: string | null; contactEmail: string; notificationPrefs: string },
	marks: readonly Mark[],
	results: readonly MarkResult[]
): void {
	if (!readNotificationPrefs(guardian.notificationPrefs).markReceiptEmail) return;
	const to = mailOf(guardian);
	const applied = results.flatMap((r, i) => (r.status === 'applied' ? [{ mark: marks[i], receipt: r.receipt }] : []));
	if (!to || applied.length === 0) return;
	const ids = [...new Set(applied.map((a) => a.mark.consumerId))];
	const names = new Map(db.select({ id: consumers.id, name: consumers.givenName }).from(consumers).where(scope.where(consumers, inArray(consumers.id, ids))).all().map((c) => [c.id, c.name]));
	const lines = applied.map(
		({ mark, receipt }) =>
			`${names.get(mark.consumerId) ?? 'Alunno'}, ${formatLongDate(mark.date)}: ${what[mark.kind][mark.value ? 0 : 1]} — ricevuta ${receipt.id}, registrata il ${formatDateIt(zonedDateOf(receipt.receivedAt, tenant.timezone))} alle ${formatTime(receipt.receivedAt, tenant.timezone)}`
	);
	enqueueMail(db, clock, 'ricevuta', scope.tenantId, [markReceiptMessage(tenant, { givenName: guardian.givenName, email: to }, lines)]);
}

function markReceiptMessage(tenant: { name: string }, to: { givenName: string; email: string }, lines: string[]): MailMessage {
	return {
		to: to.email,
		subject: `Ricevuta: ${lines.length === 1 ? 'modifica registrata' : `${lines.length} modifiche registrate`} — Comune di ${tenant.name}`,
		text:
			`Ciao ${to.givenName},\n\nil servizio mensa ha registrato:\n\n${lines.map((l) => `• ${l}`).join('\n')}\n\n` +
			'L’ora è quella in cui la richiesta è arrivata al Comune: vale per l’orario limite.\nPuoi non ricevere più queste ricevute in Impostazioni.' +
			signature(tenant)
	};
}
