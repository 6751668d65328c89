import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Deterministic PRNG (mulberry32): the same seed makes the same synthetic Comuni every run. */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function machineInfo() {
	const c = cpus();
	return {
		cpuModel: c[0]?.model ?? 'unknown',
		cores: c.length,
		memoryMiB: Math.round(totalmem() / 2 ** 20),
		node: process.version,
		platform: `${process.platform} ${process.arch}`,
		date: new Date().toISOString(),
		/** other work on the machine skews every figure: the 1/5/15-minute load averages when written */
		loadAverage: loadavg().map((l) => Number(l.toFixed(2)))
	};
}

/** Peak resident set of this process since start (or since resetPeakRss), from the kernel. */
export function peakRssBytes(): number | null {
	try {
		const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
		return m ? Number(m[1]) * 1024 : null;
	} catch {
		return null;
	}
}

/** Linux resets VmHWM to the current RSS when "5" is written to clear_refs; false where it cannot. */
export function resetPeakRss(): boolean {
	try {
		writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false;
	}
}

export interface Figure {
	name: string;
	value: number;
	unit: string;
	/** the target, and which side of it passes */
	target?: number;
	better?: 'higher' | 'lower';
}

export const passes = (f: Figure) => f.target === undefined || (f.better === 'lower' ? f.value <= f.target : f.value >= f.target);

const fmt = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 }));

export function printFigure(f: Figure): void {
	const target = f.target === undefined ? '' : `   target ${f.better === 'lower' ? '≤' : '≥'} ${fmt(f.target)} ${f.unit}   ${passes(f) ? 'PASS' : 'FAIL'}`;
	console.log(`  ${f.name.padEnd(44)} ${fmt(f.value).padStart(12)} ${f.unit.padEnd(8)}${target}`);
}

export function writeResult(name: string, data: Record<string, unknown> & { figures: Figure[] }): string {
	const dir = resolve('bench/results');
	mkdirSync(dir, { recursive: true });
	const path = join(dir, `${name}.json`);
	const figures = data.figures.map((f) => ({ ...f, pass: f.target === undefined ? null : passes(f) }));
	const pass = figures.every((f) => f.pass !== false);
	writeFileSync(path, JSON.stringify({ benchmark: name, machine: machineInfo(), ...data, figures, pass }, null, 2) + '\n');
	return path;
}

export const elapsed = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * The end of each HTTP bench: its figures and correctness line printed, its result written, and
 * the server's last log lines when a check failed (exit code 1).
 */
export function reportRun(
	name: string,
	run: { heading: string; figures: Figure[]; checks: { ok: boolean }; correctness: string; serverLog: () => string; data: Record<string, unknown> }
): void {
	console.log(run.heading);
	for (const f of run.figures) printFigure(f);
	console.log(`  correctness: ${run.checks.ok ? 'OK' : 'FAILED'} (${run.correctness})`);
	console.log(`  → ${writeResult(name, { ...run.data, checks: run.checks, figures: run.figures })}`);
	if (!run.checks.ok) {
		process.exitCode = 1;
		console.log(run.serverLog().slice(-2000));
	}
}
