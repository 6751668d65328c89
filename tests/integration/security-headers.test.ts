import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';

/*
 * Behind a reverse proxy that terminates https (docs/deploy): ORIGIN is the public https URL and
 * the proxy appends the client's address to X-Forwarded-For, the one entry the app trusts.
 */
const PUBLIC = 'https://mensa.example';
let server: TestServer;

beforeAll(async () => {
	server = await startTestServer({ ORIGIN: PUBLIC, SEED_DEMO: 'on', ADDRESS_HEADER: 'X-Forwarded-For', XFF_DEPTH: '1' });
});
afterAll(async () => {
	await server?.stop();
});

/** A request as the proxy forwards it: same-site for the app, with the chain the proxy built. */
function viaProxy(path: string, init: RequestInit & { forwardedFor?: string; cookie?: string } = {}) {
	const headers = new Headers(init.headers);
	headers.set('origin', PUBLIC);
	headers.set('x-forwarded-for', init.forwardedFor ?? '203.0.113.10');
	if (init.cookie) headers.set('cookie', init.cookie);
	return fetch(`${server.url}${path}`, { ...init, headers, redirect: 'manual' });
}

const login = (email: string, password: string, forwardedFor?: string) =>
	viaProxy('/api/trpc/auth.login', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ tenantSlug: 'mazze', email, password }),
		forwardedFor
	});

describe('behind https', () => {
	it('pages, API answers and refusals carry the security headers; HSTS for a year', async () => {
		for (const path of ['/', '/login/mazze', '/home', '/api/trpc/tenants.search?input=%7B%22q%22%3A%22maz%22%7D', '/non-esiste']) {
			const r = await viaProxy(path);
			expect(r.headers.get('strict-transport-security'), path).toBe('max-age=31536000; includeSubDomains');
			expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
			expect(r.headers.get('referrer-policy'), path).toBe('same-origin');
			expect(r.headers.get('x-frame-options'), path).toBe('DENY');
		}
		const page = await viaProxy('/login/mazze');
		const csp = page.headers.get('content-security-policy')!;
		expect(csp).toMatch(/frame-ancestors 'none'/);
		expect(csp).toMatch(/object-src 'none'/);
		expect(csp).toMatch(/base-uri 'none'/);
		expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'|script-src 'self' 'sha256-/);
		expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
	});

	it('the session and the remembered Comune are __Host- cookies: Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
		const visit = await viaProxy('/login/mazze');
		const comune = visit.headers.getSetCookie().find((c) => c.startsWith('__Host-ma_comune='));
		expect(comune).toMatch(/; Path=\/;/i);
		expect(comune).toMatch(/; Secure/i);
		expect(comune).toMatch(/; HttpOnly/i);
		expect(comune).toMatch(/; SameSite=Lax/i);

		const r = await login('maria.rossi@example.com', 'MensaAperta-2026');
		expect(r.status).toBe(200);
		const session = r.headers.getSetCookie().find((c) => c.startsWith('__Host-ma_session='))!;
		expect(session).toMatch(/; Secure/i);
		expect(session).toMatch(/; HttpOnly/i);
		expect(session).toMatch(/; SameSite=Lax/i);
		expect(session).not.toMatch(/Domain=/i);
		expect(r.headers.getSetCookie().some((c) => c.startsWith('ma_session='))).toBe(false);

		// The prefixed cookie is the one the app reads back; the bare name is nobody's session.
		const token = /^__Host-ma_session=([^;]+)/.exec(session)![1];
		const home = await viaProxy('/home', { cookie: `__Host-ma_session=${token}` });
		expect(home.status).toBe(200);
		expect(home.headers.get('cache-control')).toBe('private, no-store');
		expect(await home.text()).toContain('Luca');
		const bare = await viaProxy('/home', { cookie: `ma_session=${token}` });
		expect(bare.status).toBe(303);
	});

	it('rate limits count the address the proxy saw, not one the client wrote in X-Forwarded-For', async () => {
		// 30 failed logins from one client, each with a different forged first hop (limit: 30 per 15 minutes per address).
		for (let i = 0; i < 30; i++) {
			const r = await login(`nessuno${i}@example.com`, 'Sbagliata-2026!', `10.9.${i}.1, 198.51.100.7`);
			expect(r.status, `attempt ${i + 1}`).toBe(401);
		}
		const refused = await login('nessuno-altro@example.com', 'Sbagliata-2026!', '10.200.0.1, 198.51.100.7');
		expect(refused.status).toBe(429);
		expect((await refused.json()).error.message).toMatch(/^Troppi tentativi/);
		// Another client behind the same proxy is not locked out by the first.
		expect((await login('nessuno-altro@example.com', 'Sbagliata-2026!', '198.51.100.8')).status).toBe(401);

		const db = new Database(server.dbPath, { readonly: true });
		try {
			const keys = (db.prepare(`SELECT key FROM rate_limits WHERE key LIKE '%198.51.100.%' OR key LIKE '%10.9.%'`).pluck().all() as string[]).join(' ');
			expect(keys).toContain('198.51.100.7');
			expect(keys).not.toContain('10.9.');
		} finally {
			db.close();
		}
	});
});

describe('on plain http (a developer’s machine)', () => {
	let local: TestServer;
	beforeAll(async () => {
		local = await startTestServer();
	});
	afterAll(async () => {
		await local?.stop();
	});

	it('no HSTS, bare cookie names, and a forged X-Forwarded-For is ignored without ADDRESS_HEADER', async () => {
		const r = await fetch(`${local.url}/login/mazze`, { headers: { 'x-forwarded-for': '10.1.2.3' } });
		expect(r.headers.get('strict-transport-security')).toBeNull();
		expect(r.headers.get('x-content-type-options')).toBe('nosniff');
		expect(r.headers.getSetCookie().some((c) => c.startsWith('ma_comune=') && !/Secure/i.test(c))).toBe(true);
		const db = new Database(local.dbPath, { readonly: true });
		try {
			await fetch(`${local.url}/api/trpc/auth.login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', origin: local.url, 'x-forwarded-for': '10.1.2.3' },
				body: JSON.stringify({ tenantSlug: 'mazze', email: 'nessuno@example.com', password: 'Sbagliata-2026!' })
			});
			const keys = (db.prepare('SELECT key FROM rate_limits').pluck().all() as string[]).join(' ');
			expect(keys).toContain('127.0.0.1');
			expect(keys).not.toContain('10.1.2.3');
		} finally {
			db.close();
		}
	});
});
