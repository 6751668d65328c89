import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { openDb } from '../db/client.js';
import { checkLedger } from '../ledger/accounts.js';
import { rows } from '../meals/test-fixture.js';
import { seedDemo } from './demo.js';
import { seedDemoHistory } from './demo-history.js';

describe('the demo history', () => {
	it('gives the demo weeks of closed days, top-ups, a flagged receipt and a negative balance, with a consistent ledger', async () => {
		const db = openDb(':memory:');
		const now = new Date('2026-11-23T11:00:00Z');
		await seedDemo(db, fixedClock(now));
		const { days } = seedDemoHistory(db, now);
		expect(days).toBe(42);
		expect(rows(db, "SELECT count(*) AS n FROM day_closes WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'mazze')")[0].n).toBe(42);
		expect((rows(db, 'SELECT count(*) AS n FROM meals')[0].n as number) > 60).toBe(true);
		expect(rows(db, "SELECT count(*) AS n FROM day_marks WHERE assenza = 1")[0].n).toBeGreaterThan(1);
		expect(rows(db, 'SELECT channel, status FROM payments ORDER BY id')).toEqual([
			{ channel: 'pagopa_online', status: 'paid' },
			{ channel: 'sportello', status: 'paid' },
			{ channel: 'pagopa_avviso', status: 'paid' },
			{ channel: 'lis', status: 'paid' },
			{ channel: 'pagopa_avviso', status: 'flagged' }
		]);
		const balances = rows(db, "SELECT c.given_name AS name, a.balance_cents AS cents FROM ledger_accounts a JOIN consumers c ON c.id = a.consumer_id WHERE a.kind = 'prepaid' ORDER BY c.given_name");
		const of = (name: string) => balances.find((b) => b.name === name)!.cents as number;
		expect(of('Anna')).toBeLessThan(0);
		expect(of('Luca')).toBeGreaterThan(0);
		expect(of('Sofia')).toBeGreaterThan(0);
		expect(of('Tommaso')).toBeGreaterThan(0);
		expect(checkLedger(db)).toEqual([]);
	});
});
