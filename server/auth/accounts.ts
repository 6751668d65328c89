import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { preparedFor } from '../db/prepared.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { emailTokens, memberships, passwordCredentials, users, type Role } from '../db/schema.js';
import { checkPasswordStrength, hashPassword, verifyPassword, type PasswordProblem } from './password.js';
import { invalidateOtherSessions, invalidateSession, invalidateUserSessions } from './session.js';
import { generateToken, hashToken } from './tokens.js';
import { resetRateLimit, secondFactorLimitKey } from './rate-limit.js';

export type User = typeof users.$inferSelect;

const HOUR = 60 * 60 * 1000;
const VERIFY_TOKEN_LIFETIME_MS = 24 * HOUR;
const RESET_TOKEN_LIFETIME_MS = 1 * HOUR;

export function newUserId(): string {
	return generateToken().slice(0, 24);
}

export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

/** Words a guesser tries first against this person's password. */
function personalWords(u: { email: string | null; givenName: string; familyName: string }): string[] {
	return [u.email ?? '', u.email?.split('@')[0] ?? '', u.givenName, u.familyName, `${u.givenName}${u.familyName}`];
}

export function findUserByEmail(db: Db, tenantId: number | null, email: string): User | undefined {
	const tenantCondition = tenantId === null ? isNull(users.tenantId) : eq(users.tenantId, tenantId);
	return db
		.select()
		.from(users)
		.where(and(tenantCondition, eq(users.email, normalizeEmail(email))))
		.get();
}

const rolesOf = preparedFor((db) =>
	db
		.select({ role: memberships.role, schoolId: memberships.schoolId })
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		// A role counts only in the user's own Comune (the platform admin has none).
		.where(and(eq(memberships.userId, sql.placeholder('userId')), sql`${memberships.tenantId} IS ${users.tenantId}`))
		.prepare()
);

export function userRoles(db: Db, userId: string): { role: Role; schoolId: number | null }[] {
	return rolesOf(db).all({ userId });
}

function issueEmailToken(db: Pick<Db, 'insert'>, clock: Clock, userId: string, purpose: 'verify' | 'reset'): string {
	const token = generateToken();
	const now = clock.now();
	const lifetime = purpose === 'verify' ? VERIFY_TOKEN_LIFETIME_MS : RESET_TOKEN_LIFETIME_MS;
	db.insert(emailTokens)
		.values({ id: hashToken(token), userId, purpose, createdAt: now, expiresAt: new Date(now.getTime() + lifetime) })
		.run();
	return token;
}

export interface Registration {
	givenName: string;
	familyName: string;
	codiceFiscale: string;
	email: string;
	password: string;
}

export type RegisterResult =
	| { status: 'created'; user: User; verifyToken: string }
	| { status: 'exists'; user: User }
	| { status: 'weak_password'; problem: PasswordProblem };

/** A new guardian account, usable once its e-mail is verified. */
export async function registerGuardian(db: Db, clock: Clock, tenantId: number, input: Registration): Promise<RegisterResult> {
	const email = normalizeEmail(input.email);
	const problem = checkPasswordStrength(input.password, personalWords({ ...input, email }));
	if (problem) return { status: 'weak_password', problem };
	// Hashed either way, so that an address already registered answers no faster than a new one.
	const hash = await hashPassword(input.password);
	const existing = findUserByEmail(db, tenantId, email);
	if (existing) return { status: 'exists', user: existing };
	return db.transaction((tx) => {
		// Checked again inside the transaction: two registrations may race through the hash.
		const raced = tx.select().from(users).where(and(eq(users.tenantId, tenantId), eq(users.email, email))).get();
		if (raced) return { status: 'exists', user: raced } as const;
		const now = clock.now();
		const user = tx
			.insert(users)
			.values({
				id: newUserId(),
				tenantId,
				email,
				givenName: input.givenName.trim(),
				familyName: input.familyName.trim(),
				codiceFiscale: input.codiceFiscale,
				contactEmail: email,
				privacyAcceptedAt: now,
				createdAt: now
			})
			.returning()
			.get();
		tx.insert(passwordCredentials).values({ userId: user.id, hash, updatedAt: now }).run();
		tx.insert(memberships).values({ tenantId, userId: user.id, role: 'guardian', createdAt: now }).run();
		return { status: 'created', user, verifyToken: issueEmailToken(tx, clock, user.id, 'verify') } as const;
	});
}

export function issueVerifyToken(db: Db, clock: Clock, userId: string): string {
	return issueEmailToken(db, clock, userId, 'verify');
}

type TokenUse = { status: 'ok'; user: User } | { status: 'invalid' };

function consumeEmailToken(db: Pick<Db, 'transaction'>, clock: Clock, token: string, purpose: 'verify' | 'reset'): TokenUse {
	const now = clock.now();
	return db.transaction((tx) => {
		const row = tx
			.select({ token: emailTokens, user: users })
			.from(emailTokens)
			.innerJoin(users, eq(users.id, emailTokens.userId))
			.where(and(eq(emailTokens.id, hashToken(token)), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, now)))
			.get();
		if (!row) return { status: 'invalid' } as const;
		tx.update(emailTokens).set({ usedAt: now }).where(eq(emailTokens.id, row.token.id)).run();
		return { status: 'ok', user: row.user } as const;
	});
}

export function verifyEmail(db: Db, clock: Clock, token: string): TokenUse {
	const result = consumeEmailToken(db, clock, token, 'verify');
	if (result.status === 'ok' && !result.user.emailVerifiedAt) {
		db.update(users).set({ emailVerifiedAt: clock.now() }).where(eq(users.id, result.user.id)).run();
	}
	return result;
}

// Verifying against a real hash when the account is unknown keeps both answers equally slow.
let decoyHash: Promise<string> | undefined;

export type LoginResult = { status: 'ok'; user: User } | { status: 'invalid' } | { status: 'unverified'; user: User };

export async function loginWithPassword(db: Db, tenantId: number | null, email: string, password: string): Promise<LoginResult> {
	const user = findUserByEmail(db, tenantId, email);
	const credential = user
		? db.select().from(passwordCredentials).where(eq(passwordCredentials.userId, user.id)).get()
		: undefined;
	if (!user || !credential) {
		decoyHash ??= hashPassword('decoy password, never valid');
		await verifyPassword(await decoyHash, password);
		return { status: 'invalid' };
	}
	if (!(await verifyPassword(credential.hash, password))) return { status: 'invalid' };
	if (!user.emailVerifiedAt) return { status: 'unverified', user };
	return { status: 'ok', user };
}

/** Returns a token only for an existing account; the caller answers the same either way. */
export function requestPasswordReset(db: Db, clock: Clock, tenantId: number | null, email: string): { user: User; token: string } | null {
	const user = findUserByEmail(db, tenantId, email);
	if (!user) return null;
	return { user, token: issueEmailToken(db, clock, user.id, 'reset') };
}

export type ResetResult = { status: 'ok'; user: User } | { status: 'invalid' } | { status: 'weak_password'; problem: PasswordProblem };

/** The account a reset link may still reset: unused and unexpired, else null. */
export function pendingReset(db: Db, clock: Clock, token: string): { user: User } | null {
	return (
		db
			.select({ user: users })
			.from(emailTokens)
			.innerJoin(users, eq(users.id, emailTokens.userId))
			.where(and(eq(emailTokens.id, hashToken(token)), eq(emailTokens.purpose, 'reset'), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, clock.now())))
			.get() ?? null
	);
}

export async function resetPassword(db: Db, clock: Clock, token: string, password: string): Promise<ResetResult> {
	const pending = pendingReset(db, clock, token);
	if (!pending) return { status: 'invalid' };
	// A weak choice leaves the link usable for a second try.
	const problem = checkPasswordStrength(password, personalWords(pending.user));
	if (problem) return { status: 'weak_password', problem };
	const hash = await hashPassword(password);
	const now = clock.now();
	const used = db.transaction((tx) => {
		const spent = consumeEmailToken(tx, clock, token, 'reset');
		if (spent.status !== 'ok') return spent;
		tx.insert(passwordCredentials)
			.values({ userId: spent.user.id, hash, updatedAt: now })
			.onConflictDoUpdate({ target: passwordCredentials.userId, set: { hash, updatedAt: now } })
			.run();
		// The reset link reached the mailbox, which proves it as well as a verification link would.
		if (!spent.user.emailVerifiedAt) tx.update(users).set({ emailVerifiedAt: now }).where(eq(users.id, spent.user.id)).run();
		tx.update(emailTokens)
			.set({ usedAt: now })
			.where(and(eq(emailTokens.userId, spent.user.id), eq(emailTokens.purpose, 'reset'), isNull(emailTokens.usedAt)))
			.run();
		return spent;
	});
	if (used.status === 'ok') {
		invalidateUserSessions(db, used.user.id);
		// Whoever guessed codes with the old password is out: the owner is not kept waiting by their count.
		resetRateLimit(db, secondFactorLimitKey(used.user.id));
	}
	return used;
}

export type ChangePasswordResult = { status: 'ok'; otherSessionsEnded: number } | { status: 'invalid' } | { status: 'weak_password'; problem: PasswordProblem };

/**
 * The new password and, in the same transaction, the end of the session that changed it (the
 * caller opens a fresh one for this device) and, when asked, of every other session of the
 * account: a password changed because it leaked is only half the cure while a thief stays signed
 * in. Kept by choice for the parent who changes it on a schedule and does not want to sign in
 * again on the family tablet.
 */
export async function changePassword(
	db: Db,
	clock: Clock,
	user: User,
	change: { current: string; next: string; sessionId: string; endOtherSessions: boolean }
): Promise<ChangePasswordResult> {
	const credential = db.select().from(passwordCredentials).where(eq(passwordCredentials.userId, user.id)).get();
	if (!credential || !(await verifyPassword(credential.hash, change.current))) return { status: 'invalid' };
	const problem = checkPasswordStrength(change.next, personalWords(user));
	if (problem) return { status: 'weak_password', problem };
	const hash = await hashPassword(change.next);
	return db.transaction(() => {
		db.update(passwordCredentials).set({ hash, updatedAt: clock.now() }).where(eq(passwordCredentials.userId, user.id)).run();
		// A reset link asked for before the change (by the owner, or by whoever had their mailbox) must not undo it.
		db.update(emailTokens)
			.set({ usedAt: clock.now() })
			.where(and(eq(emailTokens.userId, user.id), eq(emailTokens.purpose, 'reset'), isNull(emailTokens.usedAt)))
			.run();
		const otherSessionsEnded = change.endOtherSessions ? invalidateOtherSessions(db, user.id, change.sessionId) : 0;
		invalidateSession(db, change.sessionId);
		return { status: 'ok', otherSessionsEnded } as const;
	});
}

export function hasPassword(db: Db, userId: string): boolean {
	return db.select({ id: passwordCredentials.userId }).from(passwordCredentials).where(eq(passwordCredentials.userId, userId)).get() !== undefined;
}
