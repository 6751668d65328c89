import { and, eq, ne, sql } from 'drizzle-orm';
import { preparedFor } from '../db/prepared.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { sessions, users } from '../db/schema.js';
import { generateToken, hashToken } from './tokens.js';

const DAY = 24 * 60 * 60 * 1000;
export const SESSION_LIFETIME_MS = 30 * DAY;
/** A session used in its second half is pushed back to the full lifetime. */
const RENEW_WITHIN_MS = 15 * DAY;

export type Session = typeof sessions.$inferSelect;
export type SessionUser = typeof users.$inferSelect;
export type SessionValidation = { session: Session; user: SessionUser; renewed: boolean } | { session: null; user: null; renewed: false };

export const generateSessionToken = generateToken;

/** `secondFactorAt`: when the user proved a second factor for it (SPID/CIE is one), or null. */
export function createSession(db: Db, clock: Clock, token: string, userId: string, secondFactorAt: Date | null = null): Session {
	const now = clock.now();
	const session: Session = {
		id: hashToken(token),
		userId,
		secondFactorAt,
		createdAt: now,
		expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS)
	};
	db.insert(sessions).values(session).run();
	return session;
}

const sessionById = preparedFor((db) =>
	db
		.select({ session: sessions, user: users })
		.from(sessions)
		.innerJoin(users, eq(sessions.userId, users.id))
		.where(eq(sessions.id, sql.placeholder('id')))
		.prepare()
);

export function validateSessionToken(db: Db, clock: Clock, token: string): SessionValidation {
	const id = hashToken(token);
	const row = sessionById(db).get({ id });
	if (!row) return { session: null, user: null, renewed: false };
	const now = clock.now().getTime();
	if (now >= row.session.expiresAt.getTime()) {
		db.delete(sessions).where(eq(sessions.id, id)).run();
		return { session: null, user: null, renewed: false };
	}
	if (now >= row.session.expiresAt.getTime() - RENEW_WITHIN_MS) {
		row.session.expiresAt = new Date(now + SESSION_LIFETIME_MS);
		db.update(sessions).set({ expiresAt: row.session.expiresAt }).where(eq(sessions.id, id)).run();
		return { ...row, renewed: true };
	}
	return { ...row, renewed: false };
}

export function invalidateSession(db: Db, sessionId: string): void {
	db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

export function invalidateUserSessions(db: Db, userId: string): void {
	db.delete(sessions).where(eq(sessions.userId, userId)).run();
}

/** Ends every session of the account but `keep`; returns how many were ended. */
export function invalidateOtherSessions(db: Db, userId: string, keep: string): number {
	return db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, keep))).run().changes;
}
