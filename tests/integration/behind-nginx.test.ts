import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';
import { DEMO_PASSWORD, testClient } from '../helpers/client.js';
import { startNginx, type TestNginx } from '../helpers/nginx.js';

/*
 * The deploy of the README: Debian's nginx with docs/deploy/nginx.conf in front of the app, both on
 * loopback, the app set as docs/deploy/env.example says (ADDRESS_HEADER, XFF_DEPTH, TRUSTED_PROXIES).
 * A parent signs in and marks a day through nginx. Her requests leave from 127.0.0.2, so the
 * address the app records can only have come from the header nginx appended (nginx itself talks to
 * the app from 127.0.0.1), and a X-Forwarded-For she forges changes nothing.
 */

let app: TestServer;
let nginx: TestNginx;
let sqlite: Database.Database;

interface Answer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}

/** One request through nginx from the client address 127.0.0.2. */
function fromParent(path: string, opts: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
	const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
	return new Promise((resolveAnswer, reject) => {
		const req = request(
			`${nginx.url}${path}`,
			{
				method: opts.method ?? 'GET',
				localAddress: '127.0.0.2',
				headers: { origin: nginx.url, ...(body ? { 'content-type': 'application/json' } : {}), ...opts.headers }
			},
			(res) => {
				let text = '';
				res.setEncoding('latin1');
				res.on('data', (c: string) => (text += c));
				res.on('end', () => resolveAnswer({ status: res.statusCode!, headers: res.headers, body: text }));
			}
		);
		req.once('error', reject);
		req.end(body);
	});
}

beforeAll(async () => {
	const listenPort = await freePort();
	app = await startTestServer({ ORIGIN: `http://127.0.0.1:${listenPort}`, ADDRESS_HEADER: 'X-Forwarded-For', XFF_DEPTH: '1', TRUSTED_PROXIES: '127.0.0.1' });
	nginx = await startNginx(listenPort, Number(new URL(app.url).port));
	sqlite = new Database(app.dbPath, { readonly: true, fileMustExist: true });
});
afterAll(async () => {
	sqlite?.close();
	await nginx?.stop();
	await app?.stop();
});

describe('behind nginx', () => {
	it('signs a parent in and takes her mark; the app records her address from the header nginx appended, not the one she forged', async () => {
		const login = await fromParent('/api/trpc/auth.login', {
			method: 'POST',
			body: { tenantSlug: 'mazze', email: 'maria.rossi@example.com', password: DEMO_PASSWORD },
			headers: { 'x-forwarded-for': '203.0.113.9' }
		});
		expect(login.status).toBe(200);
		expect(JSON.parse(login.body)).toMatchObject({ result: { data: { home: '/home' } } });
		const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);
		expect(cookies.length).toBeGreaterThan(0);
		expect(sqlite.prepare("SELECT ip FROM audit_log WHERE action = 'session.login' ORDER BY id DESC LIMIT 1").pluck().get()).toBe('127.0.0.2');

		// The rest of her session goes through nginx the way the app's pages call it.
		const maria = testClient(nginx.url);
		for (const [name, ...value] of cookies.map((c) => c.split('='))) maria.jar.set(name, value.join('='));
		const [luca] = (await maria.trpc.guardian.consumers.query()).filter((c) => c.givenName === 'Luca');
		const { results } = await maria.trpc.meals.mark.mutate({ marks: [{ mutationId: randomUUID(), consumerId: luca.id, date: '2026-11-25', kind: 'assenza', value: true }] });
		expect(results.map((r) => r.status)).toEqual(['applied']);
		const { days } = await maria.trpc.meals.days.query({ consumerId: luca.id, from: '2026-11-25', to: '2026-11-25' });
		expect(days[0]).toMatchObject({ date: '2026-11-25', assenza: true });
	});

	it('gives each request one id, in nginx’s access line, the app’s log line and the answer', async () => {
		const answer = await fromParent('/login/mazze');
		expect(answer.status).toBe(200);
		const id = String(answer.headers['x-request-id']);
		// 32 hex digits is nginx's $request_id; the app's own would be a UUID with dashes.
		expect(id).toMatch(/^[0-9a-f]{32}$/);
		await expect.poll(() => app.output()).toContain(`"requestId":"${id}"`);
		await expect.poll(() => nginx.accessLog()).toMatch(new RegExp(`^127\\.0\\.0\\.2 .*"GET /login/mazze HTTP/1\\.1" 200 .* ${id}$`, 'm'));
	});

	it('compresses pages but never /api/ answers, which may carry secrets (BREACH)', async () => {
		const page = await fromParent('/login/mazze', { headers: { 'accept-encoding': 'gzip' } });
		expect(page.status).toBe(200);
		expect(page.headers['content-encoding']).toBe('gzip');
		const api = await fromParent('/api/trpc/tenants.search?input=%7B%22q%22%3A%22maz%22%7D', { headers: { 'accept-encoding': 'gzip' } });
		expect(api.status).toBe(200);
		expect(api.headers['content-encoding']).toBeUndefined();
		expect(api.body).toContain('Mazz');
	});
});
