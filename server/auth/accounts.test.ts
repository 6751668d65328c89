import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { openDb, type Db } from '../db/client.js';
import { emailTokens, memberships, passwordCredentials, tenants, users } from '../db/schema.js';
import {
	changePassword,
	findUserByEmail,
	issueVerifyToken,
	loginWithPassword,
	registerGuardian,
	requestPasswordReset,
	resetPassword,
	userRoles,
	verifyEmail,
	type Registration,
	type User
} from './accounts.js';
import { createSession, generateSessionToken, validateSessionToken } from './session.js';
import { hashToken } from './tokens.js';

const HOUR = 60 * 60 * 1000;
const START = '2026-10-05T08:00:00.000Z';
const PASSWORD = 'Pane-Burro-Marmellata-42';
const NEW_PASSWORD = 'Olio-Sale-Rosmarino-77';

const giovanni: Registration = {
	givenName: ' Giovanni ',
	familyName: 'Ferrari',
	codiceFiscale: 'FRRGNN82H15L219L',
	email: '  Giovanni.Ferrari@Example.COM ',
	password: PASSWORD
};

let entes = 0;
function addTenant(db: Db, slug: string): number {
	return db
		.insert(tenants)
		.values({ slug, name: slug, searchName: slug, codiceFiscaleEnte: String(90_000_000_000 + ++entes), createdAt: new Date(START) })
		.returning()
		.get().id;
}

async function registered(db: Db, clock: ReturnType<typeof fixedClock>, tenantId: number): Promise<{ user: User; verifyToken: string }> {
	const result = await registerGuardian(db, clock, tenantId, giovanni);
	if (result.status !== 'created') throw new Error(`registration: ${result.status}`);
	return result;
}

describe('accounts', () => {
	let db: Db;
	let clock: ReturnType<typeof fixedClock>;
	let tenantId: number;
	let otherTenantId: number;

	beforeEach(() => {
		db = openDb(':memory:');
		clock = fixedClock(START);
		tenantId = addTenant(db, 'mazze');
		otherTenantId = addTenant(db, 'chiusi-della-verna');
	});

	describe('registerGuardian', () => {
		it('creates an unverified guardian with a normalized e-mail and a hashed password', async () => {
			const { user, verifyToken } = await registered(db, clock, tenantId);
			expect(user).toMatchObject({
				tenantId,
				email: 'giovanni.ferrari@example.com',
				contactEmail: 'giovanni.ferrari@example.com',
				givenName: 'Giovanni',
				familyName: 'Ferrari',
				codiceFiscale: 'FRRGNN82H15L219L',
				emailVerifiedAt: null,
				fiscalCodeVerifiedAt: null
			});
			expect(user.privacyAcceptedAt?.toISOString()).toBe(START);
			expect(userRoles(db, user.id)).toEqual([{ role: 'guardian', schoolId: null }]);
			const credential = db.select().from(passwordCredentials).where(eq(passwordCredentials.userId, user.id)).get();
			expect(credential?.hash.startsWith('$argon2id$')).toBe(true);
			// Only the hash of the verify token is stored.
			const [token] = db.select().from(emailTokens).where(eq(emailTokens.userId, user.id)).all();
			expect(token.id).toBe(hashToken(verifyToken));
			expect(token.id).not.toBe(verifyToken);
			expect(token.purpose).toBe('verify');
			expect(token.expiresAt.getTime() - token.createdAt.getTime()).toBe(24 * HOUR);
		});

		it('answers "exists" for the same e-mail in the same tenant, in any case', async () => {
			const { user } = await registered(db, clock, tenantId);
			const again = await registerGuardian(db, clock, tenantId, { ...giovanni, email: 'GIOVANNI.FERRARI@example.com' });
			expect(again.status).toBe('exists');
			expect(again.status === 'exists' && again.user.id).toBe(user.id);
			expect(db.select().from(users).all()).toHaveLength(1);
		});

		it('allows the same e-mail in another tenant', async () => {
			const a = await registered(db, clock, tenantId);
			const b = await registerGuardian(db, clock, otherTenantId, giovanni);
			expect(b.status).toBe('created');
			expect(b.status === 'created' && b.user.id).not.toBe(a.user.id);
		});

		it('refuses weak passwords without creating anything', async () => {
			expect(await registerGuardian(db, clock, tenantId, { ...giovanni, password: 'corta' })).toEqual({ status: 'weak_password', problem: 'too_short' });
			expect(await registerGuardian(db, clock, tenantId, { ...giovanni, password: 'password123' })).toEqual({ status: 'weak_password', problem: 'too_common' });
			// The e-mail local part as password.
			expect(await registerGuardian(db, clock, tenantId, { ...giovanni, password: 'giovanni.ferrari' })).toEqual({ status: 'weak_password', problem: 'too_common' });
			expect(await registerGuardian(db, clock, tenantId, { ...giovanni, password: 'GiovanniFerrari' })).toEqual({ status: 'weak_password', problem: 'too_common' });
			expect(db.select().from(users).all()).toHaveLength(0);
			expect(db.select().from(memberships).all()).toHaveLength(0);
		});
	});

	describe('verifyEmail', () => {
		it('verifies once; the token is single-use', async () => {
			const { user, verifyToken } = await registered(db, clock, tenantId);
			clock.advance(HOUR);
			const first = verifyEmail(db, clock, verifyToken);
			expect(first.status).toBe('ok');
			expect(first.status === 'ok' && first.user.id).toBe(user.id);
			expect(findUserByEmail(db, tenantId, user.email!)?.emailVerifiedAt?.getTime()).toBe(new Date(START).getTime() + HOUR);

			clock.advance(HOUR);
			expect(verifyEmail(db, clock, verifyToken)).toEqual({ status: 'invalid' });
			// The first verification time stays.
			expect(findUserByEmail(db, tenantId, user.email!)?.emailVerifiedAt?.getTime()).toBe(new Date(START).getTime() + HOUR);
		});

		it('refuses a token older than 24 hours', async () => {
			const { user, verifyToken } = await registered(db, clock, tenantId);
			clock.advance(25 * HOUR);
			expect(verifyEmail(db, clock, verifyToken)).toEqual({ status: 'invalid' });
			expect(findUserByEmail(db, tenantId, user.email!)?.emailVerifiedAt).toBeNull();
		});

		it('accepts a token 23 hours old', async () => {
			const { verifyToken } = await registered(db, clock, tenantId);
			clock.advance(23 * HOUR);
			expect(verifyEmail(db, clock, verifyToken).status).toBe('ok');
		});

		it('a new verify token works after the first expired', async () => {
			const { user, verifyToken } = await registered(db, clock, tenantId);
			clock.advance(25 * HOUR);
			const fresh = issueVerifyToken(db, clock, user.id);
			expect(fresh).not.toBe(verifyToken);
			expect(verifyEmail(db, clock, verifyToken).status).toBe('invalid');
			expect(verifyEmail(db, clock, fresh).status).toBe('ok');
		});

		it('refuses unknown tokens and reset tokens', async () => {
			const { user } = await registered(db, clock, tenantId);
			expect(verifyEmail(db, clock, generateSessionToken())).toEqual({ status: 'invalid' });
			const reset = requestPasswordReset(db, clock, tenantId, user.email!);
			expect(verifyEmail(db, clock, reset!.token)).toEqual({ status: 'invalid' });
		});
	});

	describe('loginWithPassword', () => {
		it("answers 'unverified' before verification and 'ok' after", async () => {
			const { user, verifyToken } = await registered(db, clock, tenantId);
			const before = await loginWithPassword(db, tenantId, 'giovanni.ferrari@example.com', PASSWORD);
			expect(before.status).toBe('unverified');
			verifyEmail(db, clock, verifyToken);
			const after = await loginWithPassword(db, tenantId, ' Giovanni.Ferrari@example.com', PASSWORD);
			expect(after.status).toBe('ok');
			expect(after.status === 'ok' && after.user.id).toBe(user.id);
		});

		it("answers 'invalid' for a wrong password, even before verification", async () => {
			const { verifyToken } = await registered(db, clock, tenantId);
			expect(await loginWithPassword(db, tenantId, 'giovanni.ferrari@example.com', 'Sbagliata-Password-1')).toEqual({ status: 'invalid' });
			verifyEmail(db, clock, verifyToken);
			expect(await loginWithPassword(db, tenantId, 'giovanni.ferrari@example.com', 'Sbagliata-Password-1')).toEqual({ status: 'invalid' });
			expect(await loginWithPassword(db, tenantId, 'giovanni.ferrari@example.com', PASSWORD.toLowerCase())).toEqual({ status: 'invalid' });
		});

		it("answers 'invalid' for an unknown e-mail", async () => {
			await registered(db, clock, tenantId);
			expect(await loginWithPassword(db, tenantId, 'nessuno@example.com', PASSWORD)).toEqual({ status: 'invalid' });
		});

		it("answers 'invalid' in another tenant and for the platform (null) tenant", async () => {
			const { verifyToken } = await registered(db, clock, tenantId);
			verifyEmail(db, clock, verifyToken);
			expect(await loginWithPassword(db, otherTenantId, 'giovanni.ferrari@example.com', PASSWORD)).toEqual({ status: 'invalid' });
			expect(await loginWithPassword(db, null, 'giovanni.ferrari@example.com', PASSWORD)).toEqual({ status: 'invalid' });
		});
	});

	describe('password reset', () => {
		it('requestPasswordReset returns null for an unknown e-mail', async () => {
			await registered(db, clock, tenantId);
			expect(requestPasswordReset(db, clock, tenantId, 'nessuno@example.com')).toBeNull();
			expect(requestPasswordReset(db, clock, otherTenantId, 'giovanni.ferrari@example.com')).toBeNull();
			expect(db.select().from(emailTokens).where(eq(emailTokens.purpose, 'reset')).all()).toHaveLength(0);
		});

		it('changes the password, ends every session and cannot be used twice', async () => {
			const { user, verifyToken } = await registered(db, clock, tenantId);
			verifyEmail(db, clock, verifyToken);
			const phone = generateSessionToken();
			const laptop = generateSessionToken();
			createSession(db, clock, phone, user.id);
			createSession(db, clock, laptop, user.id);

			const request = requestPasswordReset(db, clock, tenantId, 'GIOVANNI.ferrari@example.com');
			expect(request?.user.id).toBe(user.id);
			clock.advance(30 * 60 * 1000);
			const result = await resetPassword(db, clock, request!.token, NEW_PASSWORD);
			expect(result.status).toBe('ok');

			expect(validateSessionToken(db, clock, phone).user).toBeNull();
			expect(validateSessionToken(db, clock, laptop).user).toBeNull();
			expect((await loginWithPassword(db, tenantId, user.email!, PASSWORD)).status).toBe('invalid');
			expect((await loginWithPassword(db, tenantId, user.email!, NEW_PASSWORD)).status).toBe('ok');

			// Used once: a second use changes nothing.
			expect(await resetPassword(db, clock, request!.token, 'Terza-Password-Diversa-9')).toEqual({ status: 'invalid' });
			expect((await loginWithPassword(db, tenantId, user.email!, NEW_PASSWORD)).status).toBe('ok');
			expect((await loginWithPassword(db, tenantId, user.email!, 'Terza-Password-Diversa-9')).status).toBe('invalid');
		});

		it('using one reset link voids the other outstanding ones', async () => {
			const { user } = await registered(db, clock, tenantId);
			const first = requestPasswordReset(db, clock, tenantId, user.email!)!;
			const second = requestPasswordReset(db, clock, tenantId, user.email!)!;
			expect(first.token).not.toBe(second.token);
			expect((await resetPassword(db, clock, second.token, NEW_PASSWORD)).status).toBe('ok');
			expect(await resetPassword(db, clock, first.token, 'Terza-Password-Diversa-9')).toEqual({ status: 'invalid' });
			expect((await loginWithPassword(db, tenantId, user.email!, NEW_PASSWORD)).status).toBe('ok');
		});

		it('a password changed on Profilo voids the reset links asked for before', async () => {
			const { user, verifyToken } = await registered(db, clock, tenantId);
			verifyEmail(db, clock, verifyToken);
			const earlier = requestPasswordReset(db, clock, tenantId, user.email!)!;
			const session = generateSessionToken();
			createSession(db, clock, session, user.id);
			const changed = await changePassword(db, clock, user, { current: PASSWORD, next: NEW_PASSWORD, sessionId: hashToken(session), endOtherSessions: true });
			expect(changed.status).toBe('ok');
			expect(await resetPassword(db, clock, earlier.token, 'Terza-Password-Diversa-9')).toEqual({ status: 'invalid' });
			expect((await loginWithPassword(db, tenantId, user.email!, NEW_PASSWORD)).status).toBe('ok');
		});

		it('a reset link proves the mailbox: the account becomes verified', async () => {
			const { user } = await registered(db, clock, tenantId);
			const request = requestPasswordReset(db, clock, tenantId, user.email!)!;
			expect((await resetPassword(db, clock, request.token, NEW_PASSWORD)).status).toBe('ok');
			expect((await loginWithPassword(db, tenantId, user.email!, NEW_PASSWORD)).status).toBe('ok');
		});

		it('refuses a reset token older than 1 hour, and keeps the old password', async () => {
			const { user, verifyToken } = await registered(db, clock, tenantId);
			verifyEmail(db, clock, verifyToken);
			const session = generateSessionToken();
			const request = requestPasswordReset(db, clock, tenantId, user.email!)!;
			clock.advance(HOUR + 60_000);
			createSession(db, clock, session, user.id);
			expect(await resetPassword(db, clock, request.token, NEW_PASSWORD)).toEqual({ status: 'invalid' });
			expect((await loginWithPassword(db, tenantId, user.email!, PASSWORD)).status).toBe('ok');
			expect((await loginWithPassword(db, tenantId, user.email!, NEW_PASSWORD)).status).toBe('invalid');
			// A refused reset ends no session.
			expect(validateSessionToken(db, clock, session).user?.id).toBe(user.id);
		});

		it('accepts a reset token 59 minutes old', async () => {
			const { user } = await registered(db, clock, tenantId);
			const request = requestPasswordReset(db, clock, tenantId, user.email!)!;
			clock.advance(59 * 60_000);
			expect((await resetPassword(db, clock, request.token, NEW_PASSWORD)).status).toBe('ok');
		});

		it('refuses a weak new password without using up the token', async () => {
			const { user } = await registered(db, clock, tenantId);
			const request = requestPasswordReset(db, clock, tenantId, user.email!)!;
			expect(await resetPassword(db, clock, request.token, 'qwertyuiop')).toEqual({ status: 'weak_password', problem: 'too_common' });
			expect((await resetPassword(db, clock, request.token, NEW_PASSWORD)).status).toBe('ok');
		});

		it('a verify token is not a reset token', async () => {
			const { verifyToken } = await registered(db, clock, tenantId);
			expect(await resetPassword(db, clock, verifyToken, NEW_PASSWORD)).toEqual({ status: 'invalid' });
		});
	});
});
