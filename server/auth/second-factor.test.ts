import { eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { fixedClock } from '../clock.js';
import { openDb, type Db } from '../db/client.js';
import { recoveryCodes, sessions, totpCredentials, users } from '../db/schema.js';
import { createSession } from './session.js';
import { consumeRateLimit, rateRules, secondFactorLimitKey } from './rate-limit.js';
import { hashToken } from './tokens.js';
import { createSealer, isSealed } from './sealed.js';
import { enrolmentOf, needsSecondFactor, proveSecondFactor, renewRecoveryCodes, resetSecondFactor, sealAuthenticatorKeys, totpAt } from './second-factor.js';

const START = '2026-11-23T07:00:10.000Z';
let db: Db;
let clock: ReturnType<typeof fixedClock>;
const user = { id: 'op-1', email: 'ufficio@comune.example.it' };
const secrets = createSealer(randomBytes(32));

function newSession(token: string) {
	createSession(db, clock, token, user.id);
	return hashToken(token);
}
const passed = (sessionId: string) => db.select().from(sessions).where(eq(sessions.id, sessionId)).get()!.secondFactorAt;

/** The phone: the key as the operator typed it from the page. */
function phoneOf(): Uint8Array {
	const e = enrolmentOf(db, clock, secrets, user, 'Mensa Aperta');
	if (e.status !== 'pending') throw new Error('already enrolled');
	return decodeBase32IgnorePadding(e.secret);
}

beforeEach(() => {
	db = openDb(':memory:');
	clock = fixedClock(START);
	db.insert(users).values({ id: user.id, tenantId: null, email: user.email, givenName: 'Ugo', familyName: 'Uffici', createdAt: clock.now() }).run();
});

describe('second factor', () => {
	it('is asked of every staff role and of no parent', () => {
		for (const role of ['operator', 'school_staff', 'kitchen', 'admin'] as const) expect(needsSecondFactor([{ role }])).toBe(true);
		expect(needsSecondFactor([{ role: 'guardian' }])).toBe(false);
		expect(needsSecondFactor([])).toBe(false);
	});

	it('enrols with the first good code: the same QR on reload, ten recovery codes shown once', () => {
		const first = enrolmentOf(db, clock, secrets, user, 'Mensa Aperta');
		expect(first).toMatchObject({ status: 'pending', uri: expect.stringMatching(/^otpauth:\/\/totp\/Mensa%20Aperta:ufficio%40comune\.example\.it\?/) });
		expect(enrolmentOf(db, clock, secrets, user, 'Mensa Aperta')).toEqual(first);
		const key = phoneOf();
		const session = newSession('s1');

		expect(proveSecondFactor(db, clock, secrets, user.id, session, '000000')).toEqual({ status: 'wrong_code' });
		expect(passed(session)).toBeNull();
		const ok = proveSecondFactor(db, clock, secrets, user.id, session, totpAt(key, clock.now()));
		expect(ok).toMatchObject({ status: 'ok', recoveryCodesLeft: 10 });
		expect(ok.status === 'ok' && ok.recoveryCodes).toHaveLength(10);
		expect(passed(session)).toEqual(clock.now());
		expect(enrolmentOf(db, clock, secrets, user, 'Mensa Aperta')).toEqual({ status: 'enrolled' });
		// Only hashes are kept.
		const codes = ok.status === 'ok' ? ok.recoveryCodes! : [];
		expect(db.select().from(recoveryCodes).all().map((r) => r.codeHash)).not.toContain(codes[0]);
	});

	it('takes a code once (no replay), one step of drift either way, nothing older', () => {
		const key = phoneOf();
		const at = clock.now();
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('a'), totpAt(key, at)).status).toBe('ok');
		// The same code a second later, from another session: refused.
		clock.advance(1000);
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('b'), totpAt(key, at))).toEqual({ status: 'wrong_code' });
		// The phone 30 s ahead: accepted; 2 steps behind: refused.
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('c'), totpAt(key, new Date(at.getTime() + 30_000))).status).toBe('ok');
		clock.advance(120_000);
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('d'), totpAt(key, new Date(clock.now().getTime() - 60_000)))).toEqual({ status: 'wrong_code' });
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('e'), totpAt(key, clock.now())).status).toBe('ok');
	});

	it('a recovery code opens one session, once, whatever the case and dashes; renewing voids the old ones', () => {
		const key = phoneOf();
		const first = proveSecondFactor(db, clock, secrets, user.id, newSession('a'), totpAt(key, clock.now()));
		const codes = first.status === 'ok' ? first.recoveryCodes! : [];
		const session = newSession('b');
		expect(proveSecondFactor(db, clock, secrets, user.id, session, ` ${codes[3].toUpperCase().replace('-', '')} `)).toEqual({ status: 'ok', recoveryCodes: null, recoveryCodesLeft: 9 });
		expect(passed(session)).not.toBeNull();
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('c'), codes[3])).toEqual({ status: 'wrong_code' });
		const fresh = renewRecoveryCodes(db, clock, { id: user.id, tenantId: null });
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('d'), codes[4])).toEqual({ status: 'wrong_code' });
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('e'), fresh[0])).toMatchObject({ status: 'ok', recoveryCodesLeft: 9 });
		expect(db.$client.prepare("SELECT actor_user_id FROM audit_log WHERE action = 'user.recovery_codes_renew'").pluck().all()).toEqual([user.id]);
	});

	it('before enrolment a recovery-looking code proves nothing; a reset ends the sessions, clears the count of wrong codes and asks to enrol again', () => {
		phoneOf();
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('a'), 'abcd-efgh')).toEqual({ status: 'wrong_code' });
		for (let i = 0; i < rateRules.secondFactorAccount.limit; i++) consumeRateLimit(db, clock, secondFactorLimitKey(user.id), rateRules.secondFactorAccount);
		expect(consumeRateLimit(db, clock, secondFactorLimitKey(user.id), rateRules.secondFactorAccount).allowed).toBe(false);
		resetSecondFactor(db, user.id);
		expect(db.select().from(sessions).all()).toEqual([]);
		expect(consumeRateLimit(db, clock, secondFactorLimitKey(user.id), rateRules.secondFactorAccount).allowed).toBe(true);
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('b'), '123456')).toEqual({ status: 'not_enrolled' });
		expect(enrolmentOf(db, clock, secrets, user, 'Mensa Aperta').status).toBe('pending');
	});

	it('keeps the authenticator key sealed in the database, for its own user only', () => {
		const key = phoneOf();
		const stored = db.select().from(totpCredentials).get()!.key;
		expect(isSealed(stored)).toBe(true);
		expect(stored.includes(Buffer.from(key))).toBe(false);
		// Copied into another staff member's row, it opens for no one.
		db.insert(users).values({ id: 'op-2', tenantId: null, email: 'altro@comune.example.it', givenName: 'Ada', familyName: 'Altri', createdAt: clock.now() }).run();
		db.insert(totpCredentials).values({ userId: 'op-2', key: stored, enabledAt: clock.now(), createdAt: clock.now() }).run();
		createSession(db, clock, 'x', 'op-2');
		expect(proveSecondFactor(db, clock, secrets, 'op-2', hashToken('x'), totpAt(key, clock.now()))).toEqual({ status: 'key_unreadable' });
	});

	it('a key that does not open: a recovery code still lets its owner in; a pending enrolment gets a fresh key', () => {
		const key = phoneOf();
		const enrolled = proveSecondFactor(db, clock, secrets, user.id, newSession('a'), totpAt(key, clock.now()));
		const codes = enrolled.status === 'ok' ? enrolled.recoveryCodes! : [];
		const other = createSealer(randomBytes(32));
		clock.advance(60_000);
		expect(proveSecondFactor(db, clock, other, user.id, newSession('b'), totpAt(key, clock.now()))).toEqual({ status: 'key_unreadable' });
		expect(proveSecondFactor(db, clock, other, user.id, newSession('c'), codes[0])).toMatchObject({ status: 'ok', recoveryCodesLeft: 9 });

		resetSecondFactor(db, user.id);
		const pending = enrolmentOf(db, clock, secrets, user, 'Mensa Aperta');
		const fresh = enrolmentOf(db, clock, other, user, 'Mensa Aperta');
		expect(fresh.status).toBe('pending');
		expect(fresh).not.toEqual(pending);
		expect(enrolmentOf(db, clock, other, user, 'Mensa Aperta'), 'and it stays').toEqual(fresh);
	});

	it('seals a key stored raw (a database from before sealing, the demo seed) and it still proves', () => {
		const raw = new Uint8Array(randomBytes(20));
		db.insert(totpCredentials).values({ userId: user.id, key: Buffer.from(raw), enabledAt: clock.now(), createdAt: clock.now() }).run();
		expect(sealAuthenticatorKeys(db, secrets)).toBe(1);
		expect(sealAuthenticatorKeys(db, secrets), 'once').toBe(0);
		expect(isSealed(db.select().from(totpCredentials).get()!.key)).toBe(true);
		expect(proveSecondFactor(db, clock, secrets, user.id, newSession('a'), totpAt(raw, clock.now())).status).toBe('ok');
	});
});
