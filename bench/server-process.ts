/**
 * The benchmarks' real server: the test build as its own process on a free port. Shared by the
 * HTTP benchmarks (bench/receipts.ts, bench/marks-http.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../tests/helpers/server.js';

export { freePort };

/** The test build is remade only when a source file is newer than it (BENCH_BUILD=1 forces it, BENCH_SKIP_BUILD=1 never). */
export function ensureTestBuild(buildDir: string, log: (line: string) => void): void {
	if (process.env.BENCH_SKIP_BUILD === '1') return;
	let built = 0;
	try {
		built = statSync(resolve(buildDir, 'index.js')).mtimeMs;
	} catch {
		built = 0;
	}
	const newer = (path: string): boolean => {
		const st = statSync(path);
		if (!st.isDirectory()) return st.mtimeMs > built;
		return readdirSync(path).some((name) => newer(join(path, name)));
	};
	const stale = ['src', 'server', 'static', 'drizzle', 'package.json', 'package-lock.json', 'vite.config.ts', 'svelte.config.js'].some((p) => existsSync(p) && newer(p));
	if (process.env.BENCH_BUILD !== '1' && !stale) return;
	log(`building the test build into ${buildDir}/ …`);
	const t0 = Date.now();
	const build = spawnSync('flock', ['/tmp/mensa-build.lock', 'env', `BUILD_DIR=${buildDir}`, 'npx', 'vite', 'build', '--mode', 'test'], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
	if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
	log(`  built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

export interface BenchServer {
	url: string;
	child: ChildProcess;
	/** the server's last lines, for a failed check's report */
	log: () => string;
	stop(): Promise<void>;
}

/**
 * `onLine` sees each line the server prints, stdout and stderr apart so that no line is cut by
 * the other stream. Only the last lines are kept: a 10-minute soak prints half a million request
 * lines, and holding (or rescanning) them made the load generator the bottleneck it was measuring.
 */
export async function startBenchServer(buildDir: string, dataDir: string, env: Record<string, string>, onLine: (line: string) => void = () => {}): Promise<BenchServer> {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	// BENCH_SERVER_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops.
	const profile = process.env.BENCH_SERVER_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_SERVER_PROFILE)}`] : [];
	const child = spawn(process.execPath, [...profile, resolve(buildDir, 'index.js')], {
		env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', ORIGIN: url, DATA_DIR: dataDir, OIDC_DEV_PORT: '0', MENSA_TEST_CLOCK: '1', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const TAIL = 40;
	const tail: string[] = [];
	let started = false;
	await new Promise<void>((resolveStart, reject) => {
		for (const stream of [child.stdout!, child.stderr!]) {
			createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
				onLine(line);
				tail.push(line);
				if (tail.length > TAIL) tail.shift();
				if (!started && line.includes('Listening on')) {
					started = true;
					resolveStart();
				}
			});
		}
		child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${tail.join('\n')}`)));
		setTimeout(() => reject(new Error(`server did not start in 30 s:\n${tail.join('\n')}`)), 30_000).unref();
	});
	return {
		url,
		child,
		log: () => tail.join('\n'),
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			await exited;
		}
	};
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc: contention on the machine
 * does not inflate it. `mainThread`: only its main thread's, the one that serves every request
 * (GC helpers and worker threads left out), whose saturation is what queues answers.
 */
export function cpuSeconds(pid: number | undefined, { mainThread = false } = {}): number {
	try {
		const fields = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return (Number(fields[11]) + Number(fields[12])) / 100;
	} catch {
		return NaN;
	}
}
