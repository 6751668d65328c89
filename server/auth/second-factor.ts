import { and, eq, isNull } from 'drizzle-orm';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { recoveryCodes, sessions, totpCredentials, type Role } from '../db/schema.js';
import { hashToken } from './tokens.js';
import { isSealed, SealError, type Sealer } from './sealed.js';
import { resetRateLimit, secondFactorLimitKey } from './rate-limit.js';
import { recordAudit } from '../audit/log.js';

/*
 * Staff accounts (ufficio, scuola, cucina, admin) reach children's data and families' money: a
 * password alone does not open their session. After it, a TOTP code from an authenticator app
 * (enrolled at the first login) or one of ten single-use recovery codes. Parents are not asked:
 * SPID/CIE is their strong login, and the password path is theirs to choose.
 */

const STAFF: readonly Role[] = ['operator', 'school_staff', 'kitchen', 'admin'];
const PERIOD_S = 30;
const DIGITS = 6;
const RECOVERY_CODES = 10;

export function needsSecondFactor(roles: readonly { role: Role }[]): boolean {
	return roles.some((r) => STAFF.includes(r.role));
}

/** The time step of an instant (RFC 6238): the server's clock decides, never the machine's. */
const stepOf = (at: Date) => BigInt(Math.floor(at.getTime() / 1000 / PERIOD_S));

/** The code an authenticator shows at `at`: the server's check, and the tests' stand-in for a phone. */
export function totpAt(key: Uint8Array, at: Date): string {
	return generateHOTP(key, stepOf(at), DIGITS);
}

/** A key is sealed for its user: copied into another staff member's row, it does not open. */
const keyContext = (userId: string) => `totp:${userId}`;

/** The authenticator key as the database keeps it. */
export function sealedAuthenticatorKey(secrets: Sealer, userId: string, key: Uint8Array): Buffer {
	return secrets.seal(key, keyContext(userId));
}

/** The key, or null when it does not open here (a damaged row, or sealed under another key). */
function openedKey(secrets: Sealer, row: { userId: string; key: Uint8Array }): Uint8Array | null {
	try {
		return secrets.open(row.key, keyContext(row.userId));
	} catch (error) {
		if (error instanceof SealError) return null;
		throw error;
	}
}

export type Enrolment = { status: 'enrolled' } | { status: 'pending'; secret: string; uri: string };

/**
 * The authenticator to set up: a key made at the first visit and kept until a good code confirms
 * it, so reloading the page shows the same QR code.
 */
export function enrolmentOf(db: Db, clock: Clock, secrets: Sealer, user: { id: string; email: string | null }, issuer: string): Enrolment {
	const row = db.select().from(totpCredentials).where(eq(totpCredentials.userId, user.id)).get();
	if (row?.enabledAt) return { status: 'enrolled' };
	// A pending key that does not open was never confirmed by any phone: a fresh one takes its place.
	let key = row ? openedKey(secrets, row) : null;
	if (!key) {
		key = crypto.getRandomValues(new Uint8Array(20));
		const sealed = sealedAuthenticatorKey(secrets, user.id, key);
		db.insert(totpCredentials)
			.values({ userId: user.id, key: sealed, createdAt: clock.now() })
			.onConflictDoUpdate({ target: totpCredentials.userId, set: { key: sealed } })
			.run();
	}
	return { status: 'pending', secret: encodeBase32UpperCaseNoPadding(key), uri: createTOTPKeyURI(issuer, user.email ?? user.id, key, PERIOD_S, DIGITS) };
}

export type SecondFactorOutcome =
	| { status: 'ok'; recoveryCodes: string[] | null; recoveryCodesLeft: number }
	| { status: 'wrong_code' }
	| { status: 'not_enrolled' }
	/** the stored key does not open on this server: only a recovery code, or an admin's reset, helps */
	| { status: 'key_unreadable' };

const normalize = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();

/** "k7m2-q9xd": 40 bits in a form easy to copy on paper. */
function newRecoveryCode(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(5));
	const text = encodeBase32UpperCaseNoPadding(bytes).toLowerCase();
	return `${text.slice(0, 4)}-${text.slice(4, 8)}`;
}

/** Replaces any earlier set: only the ten shown now work. */
function issueRecoveryCodes(db: Db, clock: Clock, userId: string): string[] {
	db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
	const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
	db.insert(recoveryCodes)
		.values(codes.map((c) => ({ userId, codeHash: hashToken(normalize(c)), createdAt: clock.now() })))
		.run();
	return codes;
}

/** The step a code belongs to, within one step of drift either way; null when it is no good. */
function matchingStep(key: Uint8Array, code: string, at: Date, after: number): bigint | null {
	const now = stepOf(at);
	for (const step of [now, now - 1n, now + 1n]) {
		if (step > BigInt(after) && generateHOTP(key, step, DIGITS) === code) return step;
	}
	return null;
}

/**
 * Checks a code for the session: a TOTP code (each good once: an overheard one cannot be replayed)
 * or a recovery code (spent). The first good TOTP code also completes the enrolment and hands out
 * the recovery codes, once. Marks the session as having passed.
 */
export function proveSecondFactor(db: Db, clock: Clock, secrets: Sealer, userId: string, sessionId: string, typed: string): SecondFactorOutcome {
	return db.transaction(() => {
		const row = db.select().from(totpCredentials).where(eq(totpCredentials.userId, userId)).get();
		if (!row) return { status: 'not_enrolled' } as const;
		const code = normalize(typed);
		let issued: string[] | null = null;
		if (/^\d{6}$/.test(code)) {
			const key = openedKey(secrets, row);
			if (!key) return { status: 'key_unreadable' } as const;
			const step = matchingStep(key, code, clock.now(), row.lastCounter);
			if (step === null) return { status: 'wrong_code' } as const;
			db.update(totpCredentials)
				.set({ lastCounter: Number(step), enabledAt: row.enabledAt ?? clock.now() })
				.where(eq(totpCredentials.userId, userId))
				.run();
			if (!row.enabledAt) issued = issueRecoveryCodes(db, clock, userId);
		} else {
			if (!row.enabledAt) return { status: 'wrong_code' } as const;
			const spent = db
				.update(recoveryCodes)
				.set({ usedAt: clock.now() })
				.where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hashToken(code)), isNull(recoveryCodes.usedAt)))
				.run();
			if (spent.changes === 0) return { status: 'wrong_code' } as const;
		}
		db.update(sessions).set({ secondFactorAt: clock.now() }).where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId))).run();
		return { status: 'ok', recoveryCodes: issued, recoveryCodesLeft: recoveryCodesLeft(db, userId) } as const;
	});
}

/** How many recovery codes the staff member has not used yet. */
export function recoveryCodesLeft(db: Db, userId: string): number {
	return db.select({ id: recoveryCodes.id }).from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))).all().length;
}

/** A new set for someone who used some or fears they leaked; asked from a session that passed. Audited with the codes. */
export function renewRecoveryCodes(db: Db, clock: Clock, user: { id: string; tenantId: number | null }, ip = ''): string[] {
	return db.transaction(() => {
		const codes = issueRecoveryCodes(db, clock, user.id);
		recordAudit(db, clock, { tenantId: user.tenantId, actorUserId: user.id, action: 'user.recovery_codes_renew', entity: 'user', entityId: user.id, ip });
		return codes;
	});
}

/** For a staff member who lost both phone and codes: an admin removes the authenticator; the next login enrols again. */
export function resetSecondFactor(db: Db, userId: string): void {
	db.transaction(() => {
		db.delete(totpCredentials).where(eq(totpCredentials.userId, userId)).run();
		db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
		db.delete(sessions).where(eq(sessions.userId, userId)).run();
		resetRateLimit(db, secondFactorLimitKey(userId));
	});
}

/** Whether the database holds keys sealed under some key: then only that key will do. */
export function holdsSealedAuthenticatorKeys(db: Db): boolean {
	return db.select({ key: totpCredentials.key }).from(totpCredentials).all().some((r) => isSealed(r.key));
}

/** The sealed keys, and the users whose key does not open under `secrets`: all of them when it is another installation's key. */
export function checkAuthenticatorKeys(db: Db, secrets: Sealer): { sealed: number; unreadable: string[] } {
	const sealed = db.select().from(totpCredentials).all().filter((r) => isSealed(r.key));
	return { sealed: sealed.length, unreadable: sealed.filter((r) => !openedKey(secrets, r)).map((r) => r.userId) };
}

/**
 * Seals the keys still stored raw: those of a database from before sealing, and the demo staff's,
 * which the seed writes raw. Returns how many. The caller overwrites freed bytes (withSecureDelete).
 */
export function sealAuthenticatorKeys(db: Db, secrets: Sealer): number {
	const raw = db.select().from(totpCredentials).all().filter((r) => !isSealed(r.key));
	if (raw.length === 0) return 0;
	db.transaction((tx) => {
		for (const r of raw) tx.update(totpCredentials).set({ key: sealedAuthenticatorKey(secrets, r.userId, r.key) }).where(eq(totpCredentials.userId, r.userId)).run();
	});
	return raw.length;
}
