import { describe, expect, it } from 'vitest';
import { simulate, type SimSummary } from './run.js';
import type { World } from './world.js';

describe('fault simulation', () => {
	it('runs a school fortnight on three seeds with every kind of step and no invariant broken', async () => {
		const runs: SimSummary[] = [];
		for (const seed of [1, 2, 3]) runs.push(await simulate(seed, 10));
		const sum = (k: keyof SimSummary) => runs.reduce((n, s) => n + s[k], 0);
		for (const k of ['marks', 'replays', 'closures', 'closes', 'carts', 'receipts', 'lateReceipts', 'lis', 'duplicatesRefused', 'corrections', 'refunds', 'counterTopups', 'crashes'] as const) {
			expect(sum(k), k).toBeGreaterThan(0);
		}
		expect(sum('checks')).toBe(sum('steps'));
	}, 120_000);

	it('replays a seed exactly', async () => {
		const { ms: _a, ...first } = await simulate(5, 4);
		const { ms: _b, ...again } = await simulate(5, 4);
		expect(again).toEqual(first);
	}, 60_000);

	/** runs the SQL once, at the first step from k on where it changes something */
	const plantAt = (k: number, sql: string) => {
		let planted = false;
		return (w: World, step: number) => {
			if (step >= k && !planted) planted = w.db.$client.prepare(sql).run().changes > 0;
		};
	};

	it('names the broken invariant when a posting is slipped into the ledger, at the first step with postings', async () => {
		const plant = plantAt(3, `INSERT INTO ledger_postings (tenant_id, transaction_id, account_id, amount_cents, value_date, description)
			SELECT tenant_id, transaction_id, account_id, 100, value_date, 'planted' FROM ledger_postings ORDER BY id LIMIT 1`);
		await expect(simulate(7, 10, plant)).rejects.toThrow(/^seed=7 step=\d+ .* — ledger unbalanced_transaction violated: transazione \d+: somma 100/);
	}, 60_000);

	it('names the broken invariant when a closed day was priced off the tariff (its band changed after the close)', async () => {
		const plant = plantAt(3, `UPDATE tariff_bands SET meal_price_cents = meal_price_cents + 7 WHERE id IN (SELECT e.tariff_band_id FROM meals m JOIN enrolments e ON e.id = m.enrolment_id WHERE m.price_cents > 0)`);
		await expect(simulate(7, 10, plant)).rejects.toThrow(/^seed=7 step=\d+ .* — each closed meal priced by the tariff violated: meal \d+ \(consumer \d+, 2026-10-\d\d\): \d+ cents, the tariff says \d+/);
	}, 60_000);

	it('names the broken invariant when a family mark is recorded after its cutoff', async () => {
		const plant = plantAt(2, `INSERT INTO mark_events (tenant_id, consumer_id, date, kind, value, mutation_id, actor_user_id, channel, received_at, outcome, receipt_id)
			SELECT tenant_id, consumer_id, '2026-10-12', 'assenza', 1, 'planted', user_id, 'app', ${Date.parse('2026-10-12T09:00:00Z')}, 'applied', 'planted'
			FROM guardian_links ORDER BY id LIMIT 1`);
		await expect(simulate(7, 10, plant)).rejects.toThrow(/^seed=7 step=2 .* — no mark accepted after its cutoff violated: mark planted for 2026-10-12/);
	}, 60_000);
});
