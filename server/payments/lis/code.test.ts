import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fixedClock } from '../../clock.js';
import { lisCodes, serviceGroups } from '../../db/schema.js';
import { fixtureOf, NOV_2026, seededDb } from '../../meals/test-fixture.js';
import { LIS_ALPHABET, lisCodeFor, newLisCode, parseLisCode } from './code.js';

const SHAPE = /^MA-84001550015-[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/;

describe('Punto LIS codes', () => {
	it('carry the Comune’s codice fiscale and 20 symbols of Crockford base32 (100 bits), QR-alphanumeric', () => {
		expect(LIS_ALPHABET).toHaveLength(32);
		expect(LIS_ALPHABET).not.toMatch(/[ILOU]/);
		const code = newLisCode('84001550015');
		expect(code).toMatch(SHAPE);
		expect(code).toHaveLength(3 + 11 + 1 + 24);
		// The QR's alphanumeric mode: digits, capitals, space and $%*+-./: only.
		expect(code).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
		expect(() => newLisCode('8400155')).toThrow();
	});

	it('use every symbol, none more often than chance allows, and never repeat in 5,000 draws', () => {
		const seen = new Set<string>();
		const counts = new Map<string, number>();
		for (let i = 0; i < 5_000; i++) {
			const code = newLisCode('84001550015');
			seen.add(code);
			for (const c of code.slice(15).replace(/-/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1);
		}
		expect(seen.size).toBe(5_000);
		expect([...counts.keys()].sort().join('')).toBe(LIS_ALPHABET);
		// 100,000 symbols: 3,125 expected each; ±10 % is over 5 standard deviations.
		for (const n of counts.values()) expect(Math.abs(n - 3_125)).toBeLessThan(313);
	});

	it('read back what a cashier types: any case, spaces instead of dashes, O for 0 and I or L for 1', () => {
		const code = 'MA-84001550015-0K1M-Q9TX-2HCW-PZ4B-NR8F';
		expect(parseLisCode(code)).toEqual({ enteCodiceFiscale: '84001550015', code });
		expect(parseLisCode(' ma 84001550015 oklm q9tx 2hcw pz4b nr8f ')?.code).toBe(code);
		expect(parseLisCode('MA84001550015OKIMQ9TX2HCWPZ4BNR8F')?.code).toBe(code);
		for (const bad of ['', 'MA-84001550015-0K1M-Q9TX-2HCW-PZ4B', 'XX-84001550015-0K1M-Q9TX-2HCW-PZ4B-NR8F', 'MA-84001550015-0K1M-Q9TX-2HCW-PZ4B-NR8U', 'MA-8400155001-0K1M-Q9TX-2HCW-PZ4B-NR8F']) {
			expect(parseLisCode(bad), bad).toBeNull();
		}
	});

	it('lisCodeFor makes one code per consumer × service group, on first use, and then always the same', async () => {
		const db = await seededDb();
		const f = fixtureOf(db);
		const clock = fixedClock(NOV_2026);
		const refezione = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, f.mazze.id)).get()!;
		const other = db.insert(serviceGroups).values({ tenantId: f.mazze.id, name: 'Trasporto', createdAt: clock.now() }).returning().get();

		expect(db.select().from(lisCodes).all()).toEqual([]);
		const luca = lisCodeFor(db, clock, f.scope, f.luca.id, refezione.id);
		expect(luca).toMatch(SHAPE);
		for (let i = 0; i < 3; i++) expect(lisCodeFor(db, clock, f.scope, f.luca.id, refezione.id)).toBe(luca);
		const sofia = lisCodeFor(db, clock, f.scope, f.sofia.id, refezione.id);
		const lucaOther = lisCodeFor(db, clock, f.scope, f.luca.id, other.id);
		expect(new Set([luca, sofia, lucaOther]).size).toBe(3);
		expect(db.select().from(lisCodes).all()).toHaveLength(3);

		// Chiusi's codes carry Chiusi's codice fiscale.
		const chiusiGroup = db.select().from(serviceGroups).where(eq(serviceGroups.tenantId, f.chiusi.id)).get()!;
		expect(lisCodeFor(db, clock, f.chiusiScope, f.tommaso.id, chiusiGroup.id)).toMatch(/^MA-80002280511-/);
	});
});
