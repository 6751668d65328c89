import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClient, failure } from '../helpers/client.js';

let server: TestServer;
beforeAll(async () => {
	server = await startTestServer();
});
afterAll(() => server?.stop());


const mazze = { slug: 'mazze', name: 'Mazzè', province: 'TO' };
const chiusi = { slug: 'chiusi-della-verna', name: 'Chiusi della Verna', province: 'AR' };

describe('tenants.search', () => {
	it('finds a Comune ignoring case and accents, from 3 letters on', async () => {
		const { trpc } = testClient(server.url);
		expect(await trpc.tenants.search.query({ q: 'maz' })).toEqual([mazze]);
		expect(await trpc.tenants.search.query({ q: 'MAZZE' })).toEqual([mazze]);
		expect(await trpc.tenants.search.query({ q: 'Mazzè' })).toEqual([mazze]);
		expect(await trpc.tenants.search.query({ q: 'chiusi' })).toEqual([chiusi]);
		expect(await trpc.tenants.search.query({ q: '  della  verna ' })).toEqual([chiusi]);
		expect(await trpc.tenants.search.query({ q: 'ma' })).toEqual([]);
		expect(await trpc.tenants.search.query({ q: '' })).toEqual([]);
		expect(await trpc.tenants.search.query({ q: 'Roma' })).toEqual([]);
	});

	it('treats LIKE wildcards as plain text', async () => {
		const { trpc } = testClient(server.url);
		for (const q of ['%%%', '___', 'ma%', 'm_z']) {
			expect(await trpc.tenants.search.query({ q }), q).toEqual([]);
		}
	});

	it('refuses an overlong query with an Italian message', async () => {
		const { trpc } = testClient(server.url);
		const long = await failure(trpc.tenants.search.query({ q: 'm'.repeat(61) }));
		expect(long.data?.httpStatus).toBe(400);
		expect(long.message).toMatch(/troppo lungo/);
	});
});

describe('tenants.bySlug', () => {
	it('gives the public facts of a Comune and nothing secret', async () => {
		const { trpc } = testClient(server.url);
		const info = await trpc.tenants.bySlug.query({ slug: 'chiusi-della-verna' });
		expect(info).toMatchObject({ ...chiusi, spidEnabled: true, cieEnabled: true, testIdentityProvider: true });
		expect(Object.keys(info).join(' ')).not.toMatch(/secret|client|codiceFiscaleEnte|payment/i);
		expect(await trpc.tenants.bySlug.query({ slug: 'mazze' })).toMatchObject({ ...mazze, spidEnabled: false, cieEnabled: false, passwordLoginEnabled: true });
	});

	it('answers NOT_FOUND for an unknown slug and BAD_REQUEST for a malformed one', async () => {
		const { trpc } = testClient(server.url);
		const unknown = await failure(trpc.tenants.bySlug.query({ slug: 'comune-inesistente' }));
		expect(unknown.data?.code).toBe('NOT_FOUND');
		expect(unknown.message).toBe('Comune non trovato.');
		const malformed = await failure(trpc.tenants.bySlug.query({ slug: 'Mazzè!' }));
		expect(malformed.data?.code).toBe('BAD_REQUEST');
	});
});

describe('login pages', () => {
	it('answers 404 with a clear Italian page for an unknown Comune, not a 500', async () => {
		const response = await fetch(`${server.url}/login/unknown`);
		expect(response.status).toBe(404);
		expect(response.headers.get('content-type')).toMatch(/text\/html/);
		const html = await response.text();
		expect(html).toContain('Pagina non trovata');
		expect(html).toContain('Non troviamo il Comune «unknown»');
		expect(html).toContain('Cerca il tuo Comune');
		// The sub-pages of an unknown Comune too.
		for (const path of ['/login/unknown/registrati', '/login/unknown/recupera']) {
			const sub = await fetch(`${server.url}${path}`);
			expect(sub.status, path).toBe(404);
			expect(await sub.text(), path).toContain('Non troviamo il Comune');
		}
	});

	it('shows Mazzè with its contacts and only e-mail and password (no SPID yet)', async () => {
		const response = await fetch(`${server.url}/login/mazze`);
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain('Mazzè');
		expect(html).toContain('011/9835901');
		expect(html).toContain('scuola@mazze.example.it');
		expect(html).not.toContain('Entra con SPID');
		expect(html).not.toContain('Entra con CIE');
		expect(html).not.toContain('href="/login/mazze/spid"');
		expect(html).toContain('non è ancora attivo');
		expect(html).toContain('href="/login/mazze/registrati"');
	});

	it('shows Chiusi della Verna with SPID and CIE buttons, marked as the test provider', async () => {
		const response = await fetch(`${server.url}/login/chiusi-della-verna`);
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain('Chiusi della Verna');
		expect(html).toContain('Entra con SPID');
		expect(html).toContain('Entra con CIE');
		expect(html).toContain('href="/login/chiusi-della-verna/spid"');
		expect(html).toContain('href="/login/chiusi-della-verna/cie"');
		expect(html).toContain('Provider di test');
		expect(html).toContain('0575 599611');
	});

	it('shows the home page picker without JavaScript: /?q=maz lists Mazzè', async () => {
		const response = await fetch(`${server.url}/?q=maz`);
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain('href="/login/mazze"');
		expect(html).not.toContain('href="/login/chiusi-della-verna"');
	});
});
