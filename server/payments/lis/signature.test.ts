import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signLisNotification, verifyLisSignature } from './signature.js';

const SECRET = 'a'.repeat(64);
const AT = new Date('2026-11-23T11:00:00Z');
const BODY = JSON.stringify({ transactionId: 'LIS-1', code: 'MA-84001550015-0K1M-Q9TX-2HCW-PZ4B-NR8F', amountCents: 2000, paidAt: AT.toISOString() });

function headersOf(signed: Record<string, string>) {
	return { signature: signed['X-Lis-Signature'], timestamp: signed['X-Lis-Timestamp'] };
}

describe('LIS notification signature', () => {
	it('is HMAC-SHA256 of "<timestamp>.<raw body>" in hex, with the Unix timestamp in its own header', () => {
		const signed = signLisNotification(SECRET, BODY, AT);
		expect(signed['X-Lis-Timestamp']).toBe('1795431600');
		const expected = createHmac('sha256', SECRET).update(`1795431600.${BODY}`).digest('hex');
		expect(signed['X-Lis-Signature']).toBe(`sha256=${expected}`);
		expect(verifyLisSignature(SECRET, BODY, headersOf(signed), AT)).toEqual({ ok: true });
		// Hex case does not matter.
		expect(verifyLisSignature(SECRET, BODY, { ...headersOf(signed), signature: `sha256=${expected.toUpperCase()}` }, AT)).toEqual({ ok: true });
	});

	it('refuses a tampered body, another key, a changed timestamp and missing or malformed headers', () => {
		const h = headersOf(signLisNotification(SECRET, BODY, AT));
		const mismatch = { ok: false, reason: 'mismatch' };
		expect(verifyLisSignature(SECRET, BODY.replace('2000', '20000'), h, AT)).toEqual(mismatch);
		expect(verifyLisSignature(SECRET, `${BODY} `, h, AT)).toEqual(mismatch);
		expect(verifyLisSignature('b'.repeat(64), BODY, h, AT)).toEqual(mismatch);
		expect(verifyLisSignature(SECRET, BODY, { ...h, timestamp: String(Number(h.timestamp) + 1) }, AT)).toEqual(mismatch);
		expect(verifyLisSignature(SECRET, BODY, { ...h, signature: h.signature.replace('sha256=', 'sha1=') }, AT)).toEqual(mismatch);
		expect(verifyLisSignature(SECRET, BODY, { ...h, signature: h.signature.slice(0, -2) }, AT)).toEqual(mismatch);
		expect(verifyLisSignature(SECRET, BODY, { ...h, timestamp: '12e9' }, AT)).toEqual(mismatch);
		expect(verifyLisSignature(SECRET, BODY, { ...h, signature: null }, AT)).toEqual({ ok: false, reason: 'missing' });
		expect(verifyLisSignature(SECRET, BODY, { ...h, timestamp: null }, AT)).toEqual({ ok: false, reason: 'missing' });
	});

	it('accepts a timestamp up to 5 minutes either side of the clock, and no further', () => {
		const h = headersOf(signLisNotification(SECRET, BODY, AT));
		const at = (seconds: number) => new Date(AT.getTime() + seconds * 1000);
		for (const s of [-300, -1, 0, 1, 300]) expect(verifyLisSignature(SECRET, BODY, h, at(s)), `${s} s`).toEqual({ ok: true });
		for (const s of [-301, 301, 86_400]) expect(verifyLisSignature(SECRET, BODY, h, at(s)), `${s} s`).toEqual({ ok: false, reason: 'stale' });
	});
});
