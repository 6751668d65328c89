/**
 * An open-loop load generator: requests leave at a fixed rate whatever the server answers, as
 * phones do on a strike morning, and each latency counts from the moment its request was due, so
 * a stalled server is charged for every request it held up (no coordinated omission).
 *
 * autocannon's overallRate is not that: each connection sends its quota for the second back to
 * back and then idles until the next second, so the offered load arrives as one saturating burst
 * at the top of every second and its latencies measure the burst, not the rate.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface LoadRun {
	requests: number;
	ok: number;
	non2xx: number;
	/** socket errors, timeouts not included */
	errors: number;
	timeouts: number;
	seconds: number;
	/** answers (2xx or not) that arrived before the last request was due: the rate the server kept up with */
	answeredInWindow: number;
	latency: { p50: number; p99: number; max: number };
	errorKinds: Record<string, number>;
}

export interface OpenLoopOptions {
	url: string;
	/** requests per second */
	rate: number;
	seconds: number;
	/** keep-alive connections at most; a request due while all are busy waits for one, and the wait counts */
	connections: number;
	timeoutMs?: number;
	request: () => { headers: Record<string, string>; body: string };
	onBody?: (body: string) => void;
}

const percentile = (sorted: Float64Array, p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0);

export async function openLoop(opts: OpenLoopOptions): Promise<LoadRun> {
	const target = new URL(opts.url);
	const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
	const total = Math.floor(opts.rate * opts.seconds);
	const latencies = new Float64Array(total);
	const run: LoadRun = { requests: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, seconds: 0, answeredInWindow: 0, latency: { p50: 0, p99: 0, max: 0 }, errorKinds: {} };
	let answered = 0;
	let sent = 0;
	const start = performance.now();
	const windowEnd = start + opts.seconds * 1000;

	await new Promise<void>((done) => {
		const settle = () => {
			if (++run.requests === total) done();
		};
		const fire = (due: number, request = opts.request(), retried = false) => {
			const { headers, body } = request;
			// One outcome per request: a timeout's destroy also raises an error, which is not a second one.
			let settled = false;
			const fail = (kind: string) => {
				if (settled) return;
				settled = true;
				if (kind === 'timeout') run.timeouts++;
				else run.errors++;
				run.errorKinds[kind] = (run.errorKinds[kind] ?? 0) + 1;
				settle();
			};
			const req = httpRequest(
				{ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () => {
						if (settled) return;
						settled = true;
						const now = performance.now();
						latencies[answered++] = now - due;
						if (now <= windowEnd) run.answeredInWindow++;
						if (res.statusCode! >= 200 && res.statusCode! < 300) run.ok++;
						else {
							run.non2xx++;
							const kind = `HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 120)}`;
							run.errorKinds[kind] = (run.errorKinds[kind] ?? 0) + 1;
						}
						opts.onBody?.(Buffer.concat(chunks).toString());
						settle();
					});
					res.on('error', () => fail('response aborted'));
				}
			);
			req.setTimeout(opts.timeoutMs ?? 10_000, () => {
				fail('timeout');
				req.destroy();
			});
			req.on('error', (e: Error & { code?: string }) => {
				// The server closed an idle keep-alive connection as this request went out on it: a
				// browser sends it again on a new one, and so does this (the same body, the same
				// mutation ids; the latency still counts from the first due time).
				if (e.code === 'ECONNRESET' && req.reusedSocket && !retried && !settled) {
					settled = true;
					fire(due, request, true);
					return;
				}
				fail(e.code ?? e.message);
			});
			req.end(body);
		};
		const tick = () => {
			const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * opts.rate));
			for (; sent < due; sent++) fire(start + (sent * 1000) / opts.rate);
			if (sent < total) setTimeout(tick, 1);
		};
		if (total === 0) done();
		else tick();
	});

	run.seconds = (performance.now() - start) / 1000;
	agent.destroy();
	const sorted = latencies.subarray(0, answered).sort();
	run.latency = { p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)), max: Math.round(sorted.length ? sorted[sorted.length - 1] : 0) };
	return run;
}

/** "ECONNRESET × 2, HTTP 503: … × 1": what went wrong across runs, for a report's one line. */
export function errorKindsOf(runs: LoadRun[]): string {
	const counts = new Map<string, number>();
	for (const run of runs) for (const [kind, n] of Object.entries(run.errorKinds)) counts.set(kind, (counts.get(kind) ?? 0) + n);
	return [...counts].map(([kind, n]) => `${kind} × ${n}`).join(', ');
}
