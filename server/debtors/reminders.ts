import { and, eq, gt, ne } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { auditLog, enrolments, reminders, services, tenants } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { recordAudit } from '../audit/log.js';
import type { MailMessage } from '../mail/mailer.js';
import { enqueueMail } from '../mail/outbox.js';
import { guardiansOf } from '../payments/alerts.js';
import type { Tenant } from '../tenants/tenants.js';
import { formatDateIt } from '../../src/lib/shared/dates.js';
import { formatCents } from '../../src/lib/shared/money.js';
import { DEFAULT_REMINDER_TEMPLATE, renderTemplate, type ReminderValues } from '../../src/lib/shared/reminder-template.js';
import { findDebtors, sortDebtors, type Debtor, type DebtorFilter } from './list.js';

export interface ReminderActor {
	userId: string;
	ip: string;
}

export interface ReminderSelection extends DebtorFilter {
	/** the rows ticked on the page; null: every debtor the filter finds */
	accountIds: number[] | null;
}

export interface ReminderLine {
	accountId: number;
	name: string;
	groupName: string;
	debtCents: number;
	/** the addresses written to; empty when skipped */
	emails: string[];
	/** why nothing was sent for this row */
	skipped: string | null;
}

export interface ReminderReport {
	lines: ReminderLine[];
	emails: number;
	skipped: number;
	/** the first e-mail as it will be sent: the dry run's preview */
	first: MailMessage | null;
}

export function contactsOf(t: Pick<Tenant, 'contactOffice' | 'contactName' | 'contactPhone' | 'contactEmail'>): string {
	const who = [t.contactOffice, t.contactName].filter(Boolean).join(', ');
	return [who, t.contactPhone && `tel. ${t.contactPhone}`, t.contactEmail].filter(Boolean).join(' · ');
}

export const templateOf = (t: Pick<Tenant, 'reminderTemplate'>) => t.reminderTemplate || DEFAULT_REMINDER_TEMPLATE;

function messageFor(tenant: Tenant, origin: string, d: Debtor, guardian: { givenName: string; email: string }): MailMessage {
	const child = `${d.givenName} ${d.familyName}`;
	const values: ReminderValues = {
		nome_genitore: guardian.givenName,
		nome_figlio: child,
		gruppo: d.groupName,
		importo: formatCents(-d.balanceCents),
		giorni: String(d.daysInDebt),
		dal: formatDateIt(d.since),
		comune: tenant.name,
		contatti: contactsOf(tenant),
		link_ricarica: `${origin}/ricarica?consumer=${d.consumerId}`
	};
	return { to: guardian.email, subject: `Sollecito: saldo negativo di ${child} (${d.groupName}) — Comune di ${tenant.name}`, text: renderTemplate(templateOf(tenant), values) };
}

interface Planned {
	debtor: Debtor;
	/** guardianUserId null: the applicant's address from the enrolment, before they have an account */
	messages: { guardianUserId: string | null; message: MailMessage }[];
}

/** The applicant's address given at enrolment, for a child no guardian account is linked to yet. */
function applicantsOf(db: Db, scope: TenantScope, debtor: Debtor): { id: null; givenName: string; email: string }[] {
	const rows = db
		.selectDistinct({ name: enrolments.applicantName, email: enrolments.applicantEmail })
		.from(enrolments)
		.innerJoin(services, eq(services.id, enrolments.serviceId))
		.where(scope.where(enrolments, eq(enrolments.consumerId, debtor.consumerId), and(eq(services.serviceGroupId, debtor.serviceGroupId), ne(enrolments.applicantEmail, ''))))
		.all();
	const seen = new Set<string>();
	return rows.filter((r) => !seen.has(r.email.toLowerCase()) && seen.add(r.email.toLowerCase())).map((r) => ({ id: null, givenName: r.name, email: r.email }));
}

/**
 * Whom each selected debtor's sollecito goes to: every guardian who may see the child (linked by a
 * codice di attivazione, or the applicant proved by SPID/CIE), once per address. A child with none
 * is reported: the enrolment holds no e-mail, the Comune has to write by post.
 */
function plan(db: Db, scope: TenantScope, tenant: Tenant, origin: string, selection: ReminderSelection, today: string): { planned: Planned[]; lines: ReminderLine[] } {
	const filter = selection.accountIds === null ? selection : { schoolId: null, minDebtCents: 0 };
	const debtors = sortDebtors(findDebtors(db, scope, filter, today), 'name', 'asc');
	const wanted = selection.accountIds === null ? null : new Set(selection.accountIds);
	const chosen = wanted ? debtors.filter((d) => wanted.has(d.accountId)) : debtors;
	const lines: ReminderLine[] = [];
	const planned: Planned[] = [];
	for (const accountId of wanted ?? []) {
		if (!chosen.some((d) => d.accountId === accountId)) {
			lines.push({ accountId, name: '—', groupName: '—', debtCents: 0, emails: [], skipped: 'Saldo non più negativo o conto non trovato in questo Comune: nessun sollecito.' });
		}
	}
	for (const debtor of chosen) {
		const seen = new Set<string>();
		const linked = guardiansOf(db, scope.tenantId, debtor.consumerId).filter((g) => !seen.has(g.email.toLowerCase()) && seen.add(g.email.toLowerCase()));
		const guardians: { id: string | null; givenName: string; email: string }[] = linked.length ? linked : applicantsOf(db, scope, debtor);
		const line = { accountId: debtor.accountId, name: `${debtor.givenName} ${debtor.familyName}`, groupName: debtor.groupName, debtCents: -debtor.balanceCents };
		if (!guardians.length) {
			lines.push({ ...line, emails: [], skipped: 'Nessun genitore con un account e nessuna e-mail nell’iscrizione: il sollecito va inviato per posta.' });
			continue;
		}
		planned.push({ debtor, messages: guardians.map((g) => ({ guardianUserId: g.id, message: messageFor(tenant, origin, debtor, g) })) });
		lines.push({ ...line, emails: guardians.map((g) => g.email), skipped: null });
	}
	return { planned, lines };
}

const report = (planned: Planned[], lines: ReminderLine[]): ReminderReport => ({
	lines,
	emails: planned.reduce((n, p) => n + p.messages.length, 0),
	skipped: lines.filter((l) => l.skipped).length,
	first: planned[0]?.messages[0]?.message ?? null
});

/** The dry run: what would be sent and to whom, and the first e-mail; nothing is written. */
export function previewReminders(db: Db, scope: TenantScope, tenant: Tenant, origin: string, selection: ReminderSelection, today: string): ReminderReport {
	const { planned, lines } = plan(db, scope, tenant, origin, selection, today);
	return report(planned, lines);
}

export type SendOutcome =
	| (ReminderReport & { status: 'sent' })
	| { status: 'duplicate'; at: Date }
	/** not one e-mail to send: nothing is logged */
	| { status: 'nothing'; lines: ReminderLine[] };

const DAY_MS = 86_400_000;

/**
 * Logs one `reminders` row per guardian address and an audit entry and queues the e-mails in the
 * outbox, in one transaction: the log never says sent what is not on its way. The same requestId within a day sends nothing again; a
 * selection with no address to write to (another Comune's rows among them) logs nothing.
 */
export function sendReminders(
	db: Db,
	clock: Clock,
	scope: TenantScope,
	actor: ReminderActor,
	args: { tenant: Tenant; origin: string; requestId: string; selection: ReminderSelection; today: string }
): SendOutcome {
	const now = clock.now();
	return db.transaction((tx) => {
		const earlier = tx
			.select({ at: auditLog.at })
			.from(auditLog)
			.where(scope.where(auditLog, gt(auditLog.at, new Date(now.getTime() - DAY_MS)), eq(auditLog.action, 'debtors.remind'), eq(auditLog.entityId, args.requestId)))
			.get();
		if (earlier) return { status: 'duplicate' as const, at: earlier.at };
		const { planned, lines } = plan(db, scope, args.tenant, args.origin, args.selection, args.today);
		if (planned.length === 0) return { status: 'nothing' as const, lines };
		for (const { debtor, messages } of planned) {
			for (const { guardianUserId, message } of messages) {
				tx.insert(reminders)
					.values({ tenantId: scope.tenantId, consumerId: debtor.consumerId, serviceGroupId: debtor.serviceGroupId, guardianUserId, email: message.to, balanceCents: debtor.balanceCents, daysInDebt: debtor.daysInDebt, sentBy: actor.userId, sentAt: now })
					.run();
			}
			enqueueMail(db, clock, 'sollecito', scope.tenantId, messages.map((m) => m.message));
		}
		const r = report(planned, lines);
		recordAudit(tx, clock, {
			tenantId: scope.tenantId,
			actorUserId: actor.userId,
			action: 'debtors.remind',
			entity: 'reminder_batch',
			entityId: args.requestId,
			details: { emails: r.emails, skipped: r.skipped, accounts: lines.map((l) => ({ accountId: l.accountId, name: l.name, debtCents: l.debtCents, emails: l.emails.length })) },
			ip: actor.ip
		});
		return { ...r, status: 'sent' as const };
	});
}

/** A Comune's sollecito text; empty goes back to the default. */
export function setReminderTemplate(db: Db, clock: Clock, scope: TenantScope, actor: ReminderActor, template: string): { template: string; isDefault: boolean } {
	db.transaction((tx) => {
		const before = tx.select({ t: tenants.reminderTemplate }).from(tenants).where(eq(tenants.id, scope.tenantId)).get()?.t ?? '';
		tx.update(tenants).set({ reminderTemplate: template }).where(eq(tenants.id, scope.tenantId)).run();
		recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'debtors.reminder_template', entity: 'tenant', entityId: scope.tenantId, details: { from: before, to: template }, ip: actor.ip });
	});
	return { template: template || DEFAULT_REMINDER_TEMPLATE, isDefault: !template };
}
