import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { GroupCommit } from '../../db/group-commit.js';
import { preparedFor } from '../../db/prepared.js';
import { creditNoticesFor } from '../alerts.js';
import { applyReceipt, type ReceiptOutcome } from '../receipts.js';
import { readPaymentSettings } from '../settings.js';
import type { Sealer } from '../../auth/sealed.js';
import { verifyingSecret } from '../../tenants/tenant-secrets.js';

/** A receipt as pagoPA posts it (DESIGN.md §5); fields we do not use (PSP, debtor, fee) are tolerated. */
export const ReceiptBody = z.looseObject({
	receiptId: z.string().min(1).max(64),
	noticeNumber: z.string().regex(/^\d{18}$/, 'noticeNumber: 18 cifre'),
	fiscalCode: z.string().regex(/^\d{11}$/, 'fiscalCode: codice fiscale dell’ente, 11 cifre'),
	creditorReferenceId: z.string().min(1).max(35),
	/** cents, as an integer: a float here is a malformed receipt, never rounded */
	paymentAmount: z.number().int().min(0).max(99_999_999_99),
	outcome: z.enum(['OK', 'KO']),
	paymentDateTime: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, 'paymentDateTime: data e ora ISO 8601')
});

export interface ReceiverDeps {
	db: Db;
	clock: Clock;
	groupCommit: GroupCommit;
	secrets: Sealer;
	/** for the links in the "ricarica accreditata" e-mail */
	config: { origin: string };
}

export type ReceiverAnswer = { status: 200; body: { outcome: 'OK' }; applied: ReceiptOutcome } | { status: 400 | 401; body: { outcome: 'KO'; error: string } };

const refuse = (status: 400 | 401, error: string) => ({ status, body: { outcome: 'KO', error } }) as const;

const settingsOfEnte = preparedFor((db) => db.$client.prepare('SELECT slug, payment_settings AS settings FROM tenants WHERE codice_fiscale_ente = ?'));

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time, whatever the lengths: both sides are hashed to 32 bytes first. */
function bearerMatches(authorization: string | null, secret: string): boolean {
	const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
	return timingSafeEqual(digest(presented), digest(secret)) && presented.length > 0;
}

/**
 * POST /api/pagopa/receipts. Malformed or unauthenticated: 4xx and nothing stored. Every
 * well-formed, authenticated receipt is recorded and acknowledged with 200, including
 * redeliveries and the ones flagged for the operator: refusing them would only make pagoPA
 * redeliver forever. The secret is the Comune's receiptSecret, found by the ente's fiscal code.
 */
export async function receiveReceipt(deps: ReceiverDeps, authorization: string | null, rawBody: string): Promise<ReceiverAnswer> {
	let json: unknown;
	try {
		json = JSON.parse(rawBody);
	} catch {
		return refuse(400, 'Il corpo della richiesta non è JSON valido.');
	}
	const parsed = ReceiptBody.safeParse(json);
	if (!parsed.success) return refuse(400, parsed.error.issues.map((i) => `${i.path.join('.') || 'ricevuta'}: ${i.message}`).join('; '));
	const r = parsed.data;

	const tenant = settingsOfEnte(deps.db).get(r.fiscalCode) as { slug: string; settings: string } | undefined;
	const secret = tenant ? verifyingSecret(deps.secrets, tenant.slug, 'receiptSecret', readPaymentSettings(tenant.settings).receiptSecret) : null;
	// An unknown ente or one without a secret cannot be authenticated: refused like a wrong token.
	if (!secret || !bearerMatches(authorization, secret)) return refuse(401, 'Credenziali mancanti o non valide.');

	const receipt = {
		receiptId: r.receiptId,
		noticeNumber: r.noticeNumber,
		fiscalCode: r.fiscalCode,
		creditorReferenceId: r.creditorReferenceId,
		paymentAmountCents: r.paymentAmount,
		outcome: r.outcome,
		paymentDateTime: r.paymentDateTime
	};
	// Receipts arriving together share one commit, as marks do; each applies in its own savepoint.
	const notices = creditNoticesFor({ db: deps.db, clock: deps.clock, origin: deps.config.origin });
	const applied = await deps.groupCommit(() => applyReceipt(deps.db, deps.clock, receipt, rawBody, notices));
	return { status: 200, body: { outcome: 'OK' }, applied };
}
