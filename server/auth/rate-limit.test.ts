import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { openDb, type Db } from '../db/client.js';
import { rateLimits } from '../db/schema.js';
import { consumeRateLimit, rateRules, resetRateLimit, type RateRule } from './rate-limit.js';

const MINUTE = 60_000;
const START = '2026-10-05T08:00:00.000Z';
const rule: RateRule = { limit: 3, windowMs: 15 * MINUTE };

describe('consumeRateLimit', () => {
	let db: Db;
	let clock: ReturnType<typeof fixedClock>;

	beforeEach(() => {
		db = openDb(':memory:');
		clock = fixedClock(START);
	});

	it('allows `limit` calls, then refuses until the window ends', () => {
		for (let i = 0; i < rule.limit; i++) expect(consumeRateLimit(db, clock, 'login:a', rule)).toEqual({ allowed: true });
		expect(consumeRateLimit(db, clock, 'login:a', rule)).toEqual({ allowed: false, retryAfterSeconds: 15 * 60 });
		// Refused calls do not lengthen the window.
		expect(consumeRateLimit(db, clock, 'login:a', rule)).toEqual({ allowed: false, retryAfterSeconds: 15 * 60 });
	});

	it('counts retryAfterSeconds down to the end of the window', () => {
		for (let i = 0; i < rule.limit; i++) consumeRateLimit(db, clock, 'k', rule);
		clock.advance(5 * MINUTE);
		expect(consumeRateLimit(db, clock, 'k', rule)).toEqual({ allowed: false, retryAfterSeconds: 10 * 60 });
		clock.advance(9 * MINUTE + 59_000);
		expect(consumeRateLimit(db, clock, 'k', rule)).toEqual({ allowed: false, retryAfterSeconds: 1 });
		// Partial seconds round up: never "retry after 0 seconds" while still refused.
		clock.advance(500);
		expect(consumeRateLimit(db, clock, 'k', rule)).toEqual({ allowed: false, retryAfterSeconds: 1 });
	});

	it('the window starts at the first call, not at later ones', () => {
		consumeRateLimit(db, clock, 'k', rule);
		clock.advance(10 * MINUTE);
		consumeRateLimit(db, clock, 'k', rule);
		consumeRateLimit(db, clock, 'k', rule);
		expect(consumeRateLimit(db, clock, 'k', rule)).toEqual({ allowed: false, retryAfterSeconds: 5 * 60 });
	});

	it('allows again once the window is over, with a full new allowance', () => {
		for (let i = 0; i < rule.limit; i++) consumeRateLimit(db, clock, 'k', rule);
		expect(consumeRateLimit(db, clock, 'k', rule).allowed).toBe(false);
		clock.advance(15 * MINUTE);
		for (let i = 0; i < rule.limit; i++) expect(consumeRateLimit(db, clock, 'k', rule), `call ${i}`).toEqual({ allowed: true });
		expect(consumeRateLimit(db, clock, 'k', rule)).toEqual({ allowed: false, retryAfterSeconds: 15 * 60 });
	});

	it('is still refused one millisecond before the window ends', () => {
		for (let i = 0; i < rule.limit; i++) consumeRateLimit(db, clock, 'k', rule);
		clock.advance(15 * MINUTE - 1);
		expect(consumeRateLimit(db, clock, 'k', rule)).toEqual({ allowed: false, retryAfterSeconds: 1 });
	});

	it('keeps different keys independent', () => {
		for (let i = 0; i < rule.limit; i++) consumeRateLimit(db, clock, 'login:ip:1.2.3.4', rule);
		expect(consumeRateLimit(db, clock, 'login:ip:1.2.3.4', rule).allowed).toBe(false);
		expect(consumeRateLimit(db, clock, 'login:ip:5.6.7.8', rule)).toEqual({ allowed: true });
		expect(consumeRateLimit(db, clock, 'login:account:a@example.com', rule)).toEqual({ allowed: true });
		expect(consumeRateLimit(db, clock, 'login:ip:1.2.3.4', rule).allowed).toBe(false);
	});

	it('resetRateLimit clears one key only', () => {
		for (let i = 0; i < rule.limit; i++) {
			consumeRateLimit(db, clock, 'a', rule);
			consumeRateLimit(db, clock, 'b', rule);
		}
		resetRateLimit(db, 'a');
		for (let i = 0; i < rule.limit; i++) expect(consumeRateLimit(db, clock, 'a', rule)).toEqual({ allowed: true });
		expect(consumeRateLimit(db, clock, 'a', rule).allowed).toBe(false);
		expect(consumeRateLimit(db, clock, 'b', rule).allowed).toBe(false);
	});

	it('resetting an unknown key is harmless', () => {
		expect(() => resetRateLimit(db, 'nobody')).not.toThrow();
		expect(db.select().from(rateLimits).all()).toHaveLength(0);
	});

	it('a limit of 1 allows exactly one call', () => {
		const once = { limit: 1, windowMs: MINUTE };
		expect(consumeRateLimit(db, clock, 'k', once).allowed).toBe(true);
		expect(consumeRateLimit(db, clock, 'k', once)).toEqual({ allowed: false, retryAfterSeconds: 60 });
	});

	it('keeps one row per key', () => {
		for (let i = 0; i < 10; i++) consumeRateLimit(db, clock, 'k', rule);
		clock.advance(20 * MINUTE);
		consumeRateLimit(db, clock, 'k', rule);
		const rows = db.select().from(rateLimits).all();
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ key: 'k', count: 1 });
		expect(rows[0].windowEndsAt.getTime()).toBe(clock.now().getTime() + rule.windowMs);
	});

	it('the account rules are stricter than the IP rules', () => {
		expect(rateRules.loginAccount.limit).toBeLessThan(rateRules.loginIp.limit);
		expect(rateRules.mailAccount.limit).toBeLessThan(rateRules.mailIp.limit);
		expect(rateRules.activationUser.limit).toBeLessThan(rateRules.activationIp.limit);
	});
});

describe('consumeRateLimit on a database file', () => {
	let dir: string;

	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'mensa-rate-'));
	});

	afterEach(() => {
		rmSync(dir, { recursive: true, force: true });
	});

	it('keeps its state when the database is reopened', () => {
		const path = join(dir, 'app.sqlite');
		const clock = fixedClock(START);

		const first = openDb(path);
		for (let i = 0; i < rule.limit; i++) expect(consumeRateLimit(first, clock, 'login:a', rule).allowed).toBe(true);
		consumeRateLimit(first, clock, 'login:b', rule);
		first.$client.close();

		clock.advance(MINUTE);
		const second = openDb(path);
		expect(consumeRateLimit(second, clock, 'login:a', rule)).toEqual({ allowed: false, retryAfterSeconds: 14 * 60 });
		// b used one of three: two left after the restart.
		expect(consumeRateLimit(second, clock, 'login:b', rule).allowed).toBe(true);
		expect(consumeRateLimit(second, clock, 'login:b', rule).allowed).toBe(true);
		expect(consumeRateLimit(second, clock, 'login:b', rule).allowed).toBe(false);
		second.$client.close();

		clock.advance(14 * MINUTE);
		const third = openDb(path);
		expect(consumeRateLimit(third, clock, 'login:a', rule)).toEqual({ allowed: true });
		third.$client.close();
	});
});
