import { parseArgs } from 'node:util';
import { simulate, SimViolation, type SimSummary } from './run.js';

// npm run simulate -- --seed 42 --days 30 | --seeds 1..1000: exits 1 at the first violated invariant.
const { values } = parseArgs({ options: { seed: { type: 'string', default: '42' }, seeds: { type: 'string' }, days: { type: 'string', default: '30' } } });
const days = Number(values.days);
const [from, to] = (values.seeds ?? `${values.seed}..${values.seed}`).split('..').map(Number);
if (!Number.isInteger(from) || !Number.isInteger(to ?? from) || !(days > 0)) {
	console.error('Uso: npm run simulate -- [--seed <n> | --seeds <a>..<b>] [--days <d>]');
	process.exit(2);
}

const totals: Omit<SimSummary, 'seed' | 'days'> = { steps: 0, marks: 0, replays: 0, closures: 0, closes: 0, carts: 0, receipts: 0, lateReceipts: 0, lis: 0, duplicatesRefused: 0, corrections: 0, refunds: 0, counterTopups: 0, crashes: 0, checks: 0, ms: 0 };
let runs = 0;
for (let seed = from; seed <= (to ?? from); seed++) {
	try {
		const s = await simulate(seed, days);
		for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += s[k];
		runs++;
	} catch (e) {
		if (!(e instanceof SimViolation)) throw e;
		console.error(e.message);
		console.error(`Replay: npm run simulate -- --seed ${seed} --days ${days}`);
		process.exit(1);
	}
}
const t = totals;
console.log(
	`${runs} run(s) × ${days} days: ${t.steps} steps, ${t.marks} marks, ${t.replays} outbox replays, ${t.closures} late closures, ${t.closes} days closed, ` +
		`${t.carts} carts, ${t.receipts} receipts (${t.lateReceipts} flagged), ${t.lis} Punto LIS notices, ${t.duplicatesRefused} duplicates refused, ${t.corrections} corrections, ${t.refunds} refunds, ${t.counterTopups} counter top-ups, ${t.crashes} crashes, ` +
		`${t.checks} invariant checks, all held — ${(t.ms / 1000).toFixed(1)} s (${(t.ms / runs / days).toFixed(0)} ms per simulated day)`
);
