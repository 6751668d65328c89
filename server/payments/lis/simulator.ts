/*
 * The fake LIS point behind /simulatore-lis/: it plays the network's part, signing a notification
 * with the Comune's key and sending it over HTTP to our own endpoint, so a tester exercises the
 * same path (headers, signature, idempotency) as a real payment. No real money moves.
 */
import { eq } from 'drizzle-orm';
import { generateRandomString } from '@oslojs/crypto/random';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { tenants } from '../../db/schema.js';
import { readPaymentSettings } from '../settings.js';
import type { Sealer } from '../../auth/sealed.js';
import { ensureSimulatorSecret } from '../../tenants/tenant-secrets.js';
import { LIS_ALPHABET, parseLisCode } from './code.js';
import type { LisCredit } from './notification.js';
import { signLisNotification } from './signature.js';

export const LIS_NOTIFICATION_PATH = '/api/lis/notifiche';

const random = { read: (bytes: Uint8Array) => crypto.getRandomValues(bytes) };

/**
 * The Comune's LIS key in simulator mode, made at first need (32 random bytes, hex) and kept,
 * sealed, in its payment settings. A Comune in live mode gets null: its key is the one agreed
 * with the LIS network, never one we invent.
 */
export function simulatorLisSecret(db: Db, secrets: Sealer, tenantId: number): string | null {
	const { stored } = db.select({ stored: tenants.paymentSettings }).from(tenants).where(eq(tenants.id, tenantId)).get()!;
	if (readPaymentSettings(stored).lis.mode !== 'simulator') return null;
	return ensureSimulatorSecret(db, secrets, tenantId, 'lisSecret', () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex'));
}

export type SimulatedPayment =
	| { status: 'sent'; httpStatus: number; credit: LisCredit | null; message: string | null }
	| { status: 'unknown_code' }
	| { status: 'not_simulator' };

export async function simulateLisPayment(
	db: Db,
	clock: Clock,
	secrets: Sealer,
	origin: string,
	input: { code: string; amountCents: number },
	fetchImpl: typeof fetch = fetch
): Promise<SimulatedPayment> {
	const code = parseLisCode(input.code);
	const tenant = code && db.select({ id: tenants.id }).from(tenants).where(eq(tenants.codiceFiscaleEnte, code.enteCodiceFiscale)).get();
	if (!code || !tenant) return { status: 'unknown_code' };
	const secret = simulatorLisSecret(db, secrets, tenant.id);
	if (!secret) return { status: 'not_simulator' };
	const now = clock.now();
	const body = JSON.stringify({
		transactionId: `SIM-${generateRandomString(random, LIS_ALPHABET, 16)}`,
		code: code.code,
		amountCents: input.amountCents,
		paidAt: now.toISOString(),
		terminalId: 'SIM-01',
		pointName: 'Tabaccheria del simulatore'
	});
	const response = await fetchImpl(`${origin}${LIS_NOTIFICATION_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...signLisNotification(secret, body, now) },
		body
	});
	const answer = (await response.json().catch(() => ({}))) as { credit?: LisCredit; error?: { message?: string } };
	return { status: 'sent', httpStatus: response.status, credit: answer.credit ?? null, message: answer.error?.message ?? null };
}
