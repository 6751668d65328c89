/**
 * npm run bench: the benchmarks, one after the other, each in its own process (so one's
 * memory and JIT state do not colour the other's), then every figure beside its target.
 * Results: bench/results/<name>.json, one per benchmark.
 * A figure under its target is reported, not fatal; a failed correctness check exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { machineInfo, printFigure, type Figure } from './common.js';

const benches = ['day-close', 'marks-http', 'receipts', 'statement', 'pwa', 'durability', 'backup', 'soak'];
const only = process.argv.slice(2);
const start = Date.now();
const m = machineInfo();
console.log(`Mensa Aperta benchmarks — ${m.cpuModel}, ${m.cores} cores, ${m.memoryMiB} MiB, node ${m.node}, load ${m.loadAverage.join(' ')}\n`);
let failed = false;
for (const name of benches.filter((b) => only.length === 0 || only.includes(b))) {
	const t0 = Date.now();
	const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
	console.log(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
	if (r.status !== 0) failed = true;
}
console.log('Summary');
for (const name of benches.filter((b) => only.length === 0 || only.includes(b))) {
	try {
		const result = JSON.parse(readFileSync(`bench/results/${name}.json`, 'utf8')) as { figures: Figure[]; checks: { ok: boolean }; date?: string };
		console.log(` ${name} (correctness ${result.checks.ok ? 'OK' : 'FAILED'})`);
		for (const f of result.figures.filter((f) => f.target !== undefined || f.name.startsWith('ratio'))) printFigure(f);
	} catch {
		console.log(` ${name}: no result`);
	}
}
console.log(`\nnpm run bench took ${((Date.now() - start) / 1000).toFixed(0)} s`);
process.exitCode = failed ? 1 : 0;
