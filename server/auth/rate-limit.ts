import { eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { rateLimits } from '../db/schema.js';

export interface RateRule {
	limit: number;
	windowMs: number;
}

const MINUTE = 60_000;

/** Per-IP rules are looser than per-account ones: a school or a family may share one address. */
export const rateRules = {
	loginIp: { limit: 30, windowMs: 15 * MINUTE },
	loginAccount: { limit: 8, windowMs: 15 * MINUTE },
	/** codes of an authenticator, per account: only a right code clears it, never a right password */
	secondFactorAccount: { limit: 10, windowMs: 60 * MINUTE },
	registerIp: { limit: 10, windowMs: 60 * MINUTE },
	mailAccount: { limit: 3, windowMs: 60 * MINUTE },
	mailIp: { limit: 20, windowMs: 60 * MINUTE },
	activationUser: { limit: 5, windowMs: 15 * MINUTE },
	activationIp: { limit: 20, windowMs: 60 * MINUTE }
} satisfies Record<string, RateRule>;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Fixed-window counter kept in SQLite, so limits survive a restart and hold across
 * requests that all run in this one process.
 */
export function consumeRateLimit(db: Db, clock: Clock, key: string, rule: RateRule): RateDecision {
	const now = clock.now().getTime();
	return db.transaction((tx) => {
		const row = tx.select().from(rateLimits).where(eq(rateLimits.key, key)).get();
		if (!row || row.windowEndsAt.getTime() <= now) {
			const values = { key, count: 1, windowEndsAt: new Date(now + rule.windowMs) };
			tx.insert(rateLimits).values(values).onConflictDoUpdate({ target: rateLimits.key, set: values }).run();
			return { allowed: true } as const;
		}
		if (row.count >= rule.limit) {
			return { allowed: false, retryAfterSeconds: Math.ceil((row.windowEndsAt.getTime() - now) / 1000) } as const;
		}
		tx.update(rateLimits).set({ count: row.count + 1 }).where(eq(rateLimits.key, key)).run();
		return { allowed: true } as const;
	});
}

/** The count of wrong authenticator codes: cleared by a right code, a password reset or the admin's reset, never by a right password. */
export const secondFactorLimitKey = (userId: string) => `2fa:acct:${userId}`;

export function resetRateLimit(db: Db, key: string): void {
	db.delete(rateLimits).where(eq(rateLimits.key, key)).run();
}
