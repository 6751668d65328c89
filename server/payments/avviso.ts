/*
 * The avviso of a guardian's own payment: the data printed on it, the PDF, and the copy by e-mail.
 * Someone else's payment, or one pagoPA never accepted, has no avviso: the same "not found".
 */
import { eq, inArray } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { payments } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { consumeRateLimit, type RateRule } from '../auth/rate-limit.js';
import type { Mailer } from '../mail/mailer.js';
import { avvisoMessage } from '../mail/messages.js';
import type { Tenant } from '../tenants/tenants.js';
import { formatCents } from '../../src/lib/shared/money.js';
import { formatDateIt } from '../../src/lib/shared/dates.js';
import { renderAvvisoPdf, type AvvisoInput } from './avviso-pdf.js';
import { formatNoticeNumber } from './notice-number.js';
import { mailOf } from './ricarica.js';

/** A family sends itself an avviso once or twice; more than this an hour is someone using us to mail. */
export const avvisoMailRule: RateRule = { limit: 5, windowMs: 60 * 60_000 };

/**
 * What the avviso of payment `paymentId` shows, when it is the user's own avviso and pagoPA holds
 * its debt position (a `created` payment was never published: a PSP could not collect it).
 */
export function loadAvviso(db: Db, scope: TenantScope, tenant: Tenant, userId: string, paymentId: number): AvvisoInput | null {
	const p = db
		.select()
		.from(payments)
		.where(
			scope.where(
				payments,
				eq(payments.id, paymentId),
				eq(payments.userId, userId),
				eq(payments.channel, 'pagopa_avviso'),
				inArray(payments.status, ['pending', 'paid', 'expired', 'flagged'])
			)
		)
		.get();
	if (!p?.noticeNumber || !p.dueDate) return null;
	return {
		ente: { name: `Comune di ${tenant.name}`, codiceFiscale: tenant.codiceFiscaleEnte },
		payer: { name: p.payerName, codiceFiscale: p.payerFiscalCode },
		subject: p.description,
		amountCents: p.amountCents,
		dueDate: p.dueDate,
		noticeNumber: p.noticeNumber
	};
}

export async function avvisoPdf(db: Db, scope: TenantScope, tenant: Tenant, userId: string, paymentId: number) {
	const avviso = loadAvviso(db, scope, tenant, userId, paymentId);
	return avviso ? { avviso, pdf: await renderAvvisoPdf(avviso) } : null;
}

export type AvvisoMailOutcome =
	| { status: 'sent'; to: string }
	| { status: 'not_found' }
	| { status: 'no_address' }
	| { status: 'rate_limited'; retryAfterSeconds: number };

export async function mailAvviso(
	deps: { db: Db; clock: Clock; mailer: Mailer; scope: TenantScope; tenant: Tenant },
	user: { id: string; email: string | null; contactEmail: string },
	paymentId: number
): Promise<AvvisoMailOutcome> {
	const { db, clock, mailer, scope, tenant } = deps;
	const found = await avvisoPdf(db, scope, tenant, user.id, paymentId);
	if (!found) return { status: 'not_found' };
	const to = mailOf(user);
	if (!to) return { status: 'no_address' };
	const decision = consumeRateLimit(db, clock, `avviso-mail:user:${user.id}`, avvisoMailRule);
	if (!decision.allowed) return { status: 'rate_limited', retryAfterSeconds: decision.retryAfterSeconds };
	const { avviso, pdf } = found;
	await mailer.send(
		avvisoMessage(tenant, to, {
			noticeNumber: avviso.noticeNumber,
			noticeNumberFormatted: formatNoticeNumber(avviso.noticeNumber),
			subject: avviso.subject,
			amount: formatCents(avviso.amountCents),
			dueDate: formatDateIt(avviso.dueDate),
			pdf
		})
	);
	return { status: 'sent', to };
}
