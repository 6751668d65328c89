/*
 * How a LIS notification proves it comes from the network: `X-Lis-Signature: sha256=<hex>`, the
 * HMAC-SHA256 with the Comune's lisSecret of `<X-Lis-Timestamp>.<raw body>` (the timestamp in
 * Unix seconds). The body is signed as received, byte for byte: nothing is re-serialised.
 * The timestamp is inside the MAC and must be within 5 minutes of our clock, so an old captured
 * body cannot be replayed later; a replay inside the window is harmless, the transaction id
 * being the idempotency key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-lis-signature';
export const TIMESTAMP_HEADER = 'x-lis-timestamp';
export const MAX_SKEW_SECONDS = 5 * 60;

function mac(secret: string, timestamp: string, rawBody: string): Buffer {
	return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest();
}

/** The two headers a notification carries, signed at `at`. */
export function signLisNotification(secret: string, rawBody: string, at: Date): Record<string, string> {
	const timestamp = String(Math.floor(at.getTime() / 1000));
	return { 'X-Lis-Timestamp': timestamp, 'X-Lis-Signature': `sha256=${mac(secret, timestamp, rawBody).toString('hex')}` };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

export function verifyLisSignature(secret: string, rawBody: string, headers: { signature: string | null; timestamp: string | null }, now: Date): SignatureCheck {
	const { signature, timestamp } = headers;
	if (!signature || !timestamp) return { ok: false, reason: 'missing' };
	if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'mismatch' };
	if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) return { ok: false, reason: 'stale' };
	const m = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
	if (!m) return { ok: false, reason: 'mismatch' };
	// timingSafeEqual: how many leading bytes match must not show in the response time.
	return timingSafeEqual(Buffer.from(m[1], 'hex'), mac(secret, timestamp, rawBody)) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
