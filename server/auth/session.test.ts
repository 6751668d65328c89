import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { openDb, type Db } from '../db/client.js';
import { sessions, users } from '../db/schema.js';
import {
	SESSION_LIFETIME_MS,
	createSession,
	generateSessionToken,
	invalidateSession,
	invalidateUserSessions,
	validateSessionToken
} from './session.js';
import { hashToken } from './tokens.js';

const DAY = 24 * 60 * 60 * 1000;
const START = '2026-10-05T08:00:00.000Z';

function addUser(db: Db, id: string, email: string) {
	db.insert(users)
		.values({ id, tenantId: null, email, givenName: 'Test', familyName: id, createdAt: new Date(START) })
		.run();
}

function sessionRows(db: Db) {
	return db.select().from(sessions).all();
}

describe('sessions', () => {
	let db: Db;
	let clock: ReturnType<typeof fixedClock>;

	beforeEach(() => {
		db = openDb(':memory:');
		clock = fixedClock(START);
		addUser(db, 'user-a', 'a@example.com');
		addUser(db, 'user-b', 'b@example.com');
	});

	it('generates distinct base32 tokens of 160 bits', () => {
		const a = generateSessionToken();
		const b = generateSessionToken();
		expect(a).toMatch(/^[a-z2-7]{32}$/);
		expect(b).not.toBe(a);
	});

	it('validates a new token and returns its user', () => {
		const token = generateSessionToken();
		const created = createSession(db, clock, token, 'user-a');
		expect(created.expiresAt.getTime()).toBe(new Date(START).getTime() + 30 * DAY);
		expect(SESSION_LIFETIME_MS).toBe(30 * DAY);

		const result = validateSessionToken(db, clock, token);
		expect(result.user?.id).toBe('user-a');
		expect(result.user?.email).toBe('a@example.com');
		expect(result.session?.userId).toBe('user-a');
		expect(result.session?.expiresAt.getTime()).toBe(created.expiresAt.getTime());
	});

	it('stores only the SHA-256 hash of the token', () => {
		const token = generateSessionToken();
		createSession(db, clock, token, 'user-a');
		const [row] = sessionRows(db);
		expect(row.id).not.toBe(token);
		expect(row.id).toBe(hashToken(token));
		expect(row.id).toMatch(/^[0-9a-f]{64}$/);
		// Nothing in the row contains the token itself.
		expect(JSON.stringify(db.$client.prepare('select * from sessions').all())).not.toContain(token);
	});

	it('hashToken is SHA-256 hex', () => {
		expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
	});

	it('refuses an unknown token, and the stored hash used as a token', () => {
		const token = generateSessionToken();
		createSession(db, clock, token, 'user-a');
		expect(validateSessionToken(db, clock, generateSessionToken())).toMatchObject({ session: null, user: null });
		expect(validateSessionToken(db, clock, hashToken(token))).toMatchObject({ session: null, user: null });
	});

	it('does not extend a session used in its first half', () => {
		const token = generateSessionToken();
		const created = createSession(db, clock, token, 'user-a');
		clock.advance(14 * DAY);
		const result = validateSessionToken(db, clock, token);
		expect(result.user?.id).toBe('user-a');
		expect(result.session?.expiresAt.getTime()).toBe(created.expiresAt.getTime());
		expect(result.renewed).toBe(false);
		expect(sessionRows(db)[0].expiresAt.getTime()).toBe(created.expiresAt.getTime());
	});

	it('extends a session used after 16 days to now + 30 days', () => {
		const token = generateSessionToken();
		createSession(db, clock, token, 'user-a');
		clock.advance(16 * DAY);
		const expected = clock.now().getTime() + 30 * DAY;
		const result = validateSessionToken(db, clock, token);
		expect(result.user?.id).toBe('user-a');
		expect(result.session?.expiresAt.getTime()).toBe(expected);
		expect(result.renewed).toBe(true);
		expect(sessionRows(db)[0].expiresAt.getTime()).toBe(expected);

		// The extension holds: 40 days after creation (24 after the renewal) it still works.
		clock.advance(24 * DAY);
		expect(validateSessionToken(db, clock, token).user?.id).toBe('user-a');
	});

	it('is invalid and deleted after 30 days without use', () => {
		const token = generateSessionToken();
		createSession(db, clock, token, 'user-a');
		clock.advance(30 * DAY);
		expect(validateSessionToken(db, clock, token)).toMatchObject({ session: null, user: null });
		expect(sessionRows(db)).toHaveLength(0);
		// Moving the clock back does not bring it back.
		clock.set(START);
		expect(validateSessionToken(db, clock, token).user).toBeNull();
	});

	it('is still valid one millisecond before expiring', () => {
		const token = generateSessionToken();
		createSession(db, clock, token, 'user-a');
		clock.advance(30 * DAY - 1);
		expect(validateSessionToken(db, clock, token).user?.id).toBe('user-a');
		expect(sessionRows(db)).toHaveLength(1);
	});

	it('deleting an expired session leaves the other sessions alone', () => {
		const old = generateSessionToken();
		createSession(db, clock, old, 'user-a');
		clock.advance(20 * DAY);
		const fresh = generateSessionToken();
		createSession(db, clock, fresh, 'user-a');
		clock.advance(11 * DAY);
		expect(validateSessionToken(db, clock, old).user).toBeNull();
		expect(validateSessionToken(db, clock, fresh).user?.id).toBe('user-a');
		expect(sessionRows(db).map((r) => r.id)).toEqual([hashToken(fresh)]);
	});

	it('invalidateSession ends one session only', () => {
		const first = generateSessionToken();
		const second = generateSessionToken();
		const s1 = createSession(db, clock, first, 'user-a');
		createSession(db, clock, second, 'user-a');
		invalidateSession(db, s1.id);
		expect(validateSessionToken(db, clock, first).user).toBeNull();
		expect(validateSessionToken(db, clock, second).user?.id).toBe('user-a');
	});

	it('invalidateUserSessions ends every session of that user and no other', () => {
		const a1 = generateSessionToken();
		const a2 = generateSessionToken();
		const b1 = generateSessionToken();
		createSession(db, clock, a1, 'user-a');
		createSession(db, clock, a2, 'user-a');
		createSession(db, clock, b1, 'user-b');
		invalidateUserSessions(db, 'user-a');
		expect(validateSessionToken(db, clock, a1).user).toBeNull();
		expect(validateSessionToken(db, clock, a2).user).toBeNull();
		expect(validateSessionToken(db, clock, b1).user?.id).toBe('user-b');
		expect(sessionRows(db).map((r) => r.userId)).toEqual(['user-b']);
	});

	it('a deleted user takes their sessions along', () => {
		const token = generateSessionToken();
		createSession(db, clock, token, 'user-a');
		db.delete(users).where(eq(users.id, 'user-a')).run();
		expect(validateSessionToken(db, clock, token).user).toBeNull();
		expect(sessionRows(db)).toHaveLength(0);
	});
});
