import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

/*
 * Operating the built server: the probes a supervisor or load balancer calls, request ids in
 * the logs, a stop on SIGTERM that loses nothing, and a start refused on a wrong variable.
 */

let server: TestServer;
beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off', TRUSTED_PROXIES: '127.0.0.1,::1', SHUTDOWN_TIMEOUT: '10' });
});
afterAll(() => server?.stop());

const lastTag = (JSON.parse(readFileSync('drizzle/meta/_journal.json', 'utf8')) as { entries: { tag: string }[] }).entries.at(-1)!.tag;
const readyz = async () => {
	const r = await fetch(`${server.url}/readyz`);
	return { status: r.status, cache: r.headers.get('cache-control'), body: await r.json() };
};
const logLines = () =>
	server
		.output()
		.split('\n')
		.filter((l) => l.startsWith('{'))
		.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('health probes', () => {
	it('/healthz says the process is up: 200 "ok", never cached, no session', async () => {
		const r = await fetch(`${server.url}/healthz`, { headers: { cookie: 'ma_session=not-a-session' } });
		expect(r.status).toBe(200);
		expect(await r.text()).toBe('ok');
		expect(r.headers.get('cache-control')).toBe('no-store');
		expect(r.headers.get('set-cookie')).toBeNull();
	});

	it('/readyz is ready, and names the check that fails while the database takes no writes or misses a migration', async () => {
		expect(await readyz()).toEqual({ status: 200, cache: 'no-store', body: { status: 'ready', checks: { database: 'ok', migrations: 'ok' } } });

		const db = new Database(server.dbPath);
		try {
			// Another process (a backup, a CLI) holding the write lock.
			db.exec('BEGIN IMMEDIATE');
			expect(await readyz()).toEqual({ status: 503, cache: 'no-store', body: { status: 'unavailable', checks: { database: 'not writable: SQLITE_BUSY', migrations: 'ok' } } });
			expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
			db.exec('ROLLBACK');

			// A database one migration behind this build.
			const last = db.prepare('SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').get() as { hash: string; created_at: number };
			db.prepare('DELETE FROM __drizzle_migrations WHERE created_at = ?').run(last.created_at);
			expect((await readyz()).body).toEqual({ status: 'unavailable', checks: { database: 'ok', migrations: `not applied: ${lastTag}` } });
			db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run(last.hash, last.created_at);
		} finally {
			db.close();
		}
		expect((await readyz()).status).toBe(200);
	});
});

describe('request ids', () => {
	it("takes a trusted proxy's X-Request-Id, echoes it, and logs the route id rather than the path", async () => {
		const id = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
		const r = await fetch(`${server.url}/reimposta?token=abcdefghijklmnopqrstuvwxyz234567`, { headers: { 'x-request-id': id } });
		expect(r.status).toBe(200);
		expect(r.headers.get('x-request-id')).toBe(id);
		const line = await until(async () => logLines().find((l) => l.requestId === id), Boolean);
		expect(line).toMatchObject({ level: 'info', msg: 'request', method: 'GET', route: '/reimposta', status: 200 });
		expect(typeof line!.ms).toBe('number');
		expect(JSON.stringify(line)).not.toContain('abcdefghijklmnopqrstuvwxyz234567');
	});

	it('makes a fresh id for a malformed one', async () => {
		const r = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'x' } });
		expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
	});
});

/** A POST whose body is still on its way: in flight from the server's "100 Continue" until `finish`. */
async function heldLogin(port: number) {
	const body = JSON.stringify({ tenantSlug: 'mazze', email: 'maria.rossi@example.com', password: 'MensaAperta-2026' });
	const req: ClientRequest = request({
		host: '127.0.0.1',
		port,
		method: 'POST',
		path: '/api/trpc/auth.login',
		agent: false,
		headers: { 'content-type': 'application/json', origin: `http://localhost:${port}`, expect: '100-continue' }
	});
	const answer = new Promise<{ status: number; body: string }>((resolveAnswer, reject) => {
		req.on('response', (res) => {
			let text = '';
			res.on('data', (c: Buffer) => (text += c));
			res.on('end', () => resolveAnswer({ status: res.statusCode!, body: text }));
			res.on('error', reject);
		});
		req.on('error', reject);
	});
	await new Promise((r) => req.once('continue', r));
	req.write(body.slice(0, 10));
	return { answer, finish: () => req.end(body.slice(10)) };
}

async function connectionRefused(port: number): Promise<boolean> {
	return new Promise((r) => {
		const socket = connect({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			r(false);
		});
		socket.once('error', (e: NodeJS.ErrnoException) => r(e.code === 'ECONNREFUSED'));
	});
}

function exitOf(server: TestServer) {
	const child = server.process();
	return new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
}

function expectCleanDatabase() {
	const wal = `${server.dbPath}-wal`;
	expect(!existsSync(wal) || statSync(wal).size === 0, 'the WAL was checkpointed and removed on close').toBe(true);
	const db = new Database(server.dbPath, { readonly: true });
	try {
		expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
		return db.prepare(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'maria.rossi@example.com'`).pluck().get() as number;
	} finally {
		db.close();
	}
}

describe('stopping on SIGTERM', () => {
	it('refuses new connections, answers the request in flight, closes the database and exits 0', async () => {
		const port = Number(new URL(server.url).port);
		const exited = exitOf(server);
		const login = await heldLogin(port);
		server.process().kill('SIGTERM');
		await until(async () => server.output().includes('stopping: no new connections'), Boolean);
		expect(await until(() => connectionRefused(port), Boolean, 5_000)).toBe(true);

		login.finish();
		expect(await login.answer).toEqual({ status: 200, body: expect.stringContaining('/home') });
		expect(await exited).toBe(0);
		expect(server.output()).toContain('shut down: requests answered, database closed');
		// The login answered during the stop was written before the database closed.
		expect(expectCleanDatabase()).toBe(1);
	});

	it('cuts a request still unfinished after SHUTDOWN_TIMEOUT, and still exits 0 with a clean database', async () => {
		await server.restart({ SHUTDOWN_TIMEOUT: '1' });
		const exited = exitOf(server);
		const login = await heldLogin(Number(new URL(server.url).port));
		server.process().kill('SIGTERM');
		await expect(login.answer).rejects.toThrow(/socket hang up|ECONNRESET/);
		expect(await exited).toBe(0);
		expect(expectCleanDatabase()).toBe(1);
	});

	it("ignores X-Request-Id from a peer that is not a trusted proxy", async () => {
		await server.restart({ TRUSTED_PROXIES: '192.0.2.1' });
		const r = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'a1b2c3d4e5f60718293a4b5c6d7e8f90' } });
		expect(r.headers.get('x-request-id')).not.toBe('a1b2c3d4e5f60718293a4b5c6d7e8f90');
	});
});

describe('configuration', () => {
	/** The server started as `npm start` starts it, on `dataDir`, until it exits. */
	async function startUntilExit(dataDir: string, env: Record<string, string>) {
		const port = await freePort();
		const child = spawn(process.execPath, [resolve('server/serve.js')], {
			env: { PATH: process.env.PATH, BUILD_DIR: process.env.TEST_BUILD_DIR ?? 'build-test', DATA_DIR: dataDir, ORIGIN: `http://localhost:${port}`, PORT: String(port), ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c));
		child.stderr.on('data', (c: Buffer) => (stderr += c));
		const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
		return { code, stdout, stderr };
	}

	it('refuses to start on a wrong variable, with one message naming it, and exit code 78', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'mensa-config-'));
		try {
			const { code, stdout, stderr } = await startUntilExit(dataDir, { PORT: 'abc', LOG_LEVEL: 'loud' });
			// (oidc-provider may warn on stderr about the Node version as it loads: that line is not ours.)
			expect(stderr).toContain(
				'Invalid configuration, the server did not start:\n' +
					'  PORT="abc": expected a TCP port number (1-65535)\n' +
					'  LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent\n'
			);
			expect(stderr, 'a message, not a stack trace').not.toMatch(/^\s+at /m);
			expect(code).toBe(78);
			expect(stdout).not.toContain('Listening on');
			expect(existsSync(join(dataDir, 'mensa.db')), 'nothing was opened').toBe(false);
		} finally {
			rmSync(dataDir, { recursive: true, force: true });
		}
	});

	it('refuses to start on a database whose staff keys are sealed under a key file it does not have', async () => {
		// A restore onto a new machine that forgot the key file: the server sealed the demo staff's keys at its first start.
		const earlier = await startTestServer();
		try {
			await earlier.halt();
			const keyFile = join(earlier.dataDir, 'secrets.key');
			rmSync(keyFile);
			const { code, stdout, stderr } = await startUntilExit(earlier.dataDir, {});
			expect(stderr).toContain(
				`Invalid configuration, the server did not start:\n  SECRETS_KEY_FILE=${JSON.stringify(keyFile)}: not found, but the database holds secrets sealed under it`
			);
			expect(stderr, 'a message, not a stack trace').not.toMatch(/^\s+at /m);
			expect(code).toBe(78);
			expect(stdout).not.toContain('Listening on');
			expect(existsSync(keyFile), 'no new key was made in its place').toBe(false);
		} finally {
			await earlier.stop();
		}
	});
});
