import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TEST_CLIENT } from '../../server/auth/oidc-dev-provider.js';
import { randomBytes } from 'node:crypto';
import { createSealer } from '../../server/auth/sealed.js';
import { sealTenantSecret } from '../../server/tenants/tenant-secrets.js';
import { testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';
import { beginEidLogin, eidLogin, finishAtProvider, locationOf, openProviderLogin, testSubs } from '../helpers/oidc-flow.js';

let server: TestServer;
beforeAll(async () => {
	server = await startTestServer();
});
afterAll(() => server?.stop());

const CHIUSI = 'chiusi-della-verna';

describe('SPID/CIE login through the test provider', () => {
	it('walks authorization code + PKCE end to end and opens a session on /home', async () => {
		const app = testClient(server.url);
		const authorizationUrl = await beginEidLogin(app, server.url, CHIUSI, 'spid');
		// The state cookie binds the callback to this browser; it is scoped to the callback path.
		expect(app.jar.has('ma_oidc_state')).toBe(true);
		expect(authorizationUrl.origin).not.toBe(new URL(server.url).origin);
		const params = authorizationUrl.searchParams;
		expect(params.get('response_type')).toBe('code');
		expect(params.get('code_challenge_method')).toBe('S256');
		expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
		expect(params.get('state')).toBe(app.jar.get('ma_oidc_state'));
		expect(params.get('nonce')).toBeTruthy();
		expect(params.get('redirect_uri')).toBe(`${server.url}/auth/oidc/callback`);
		expect(params.get('scope')).toContain('openid');

		const visit = await openProviderLogin(authorizationUrl);
		expect(visit.html).toContain('PROVIDER DI TEST');
		expect(visit.html).toContain('Entra con SPID (test)');
		// Separate jars: the provider's cookies never reach the app's and the other way round.
		expect(visit.jar.names().length).toBeGreaterThan(0);
		expect(visit.jar.names()).not.toContain('ma_oidc_state');
		for (const name of visit.jar.names()) expect(app.jar.has(name)).toBe(false);

		const callbackUrl = await finishAtProvider(visit, { sub: testSubs.mario });
		expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(`${server.url}/auth/oidc/callback`);
		expect(callbackUrl.searchParams.get('code')).toBeTruthy();
		expect(callbackUrl.searchParams.get('state')).toBe(params.get('state'));

		const landing = await app.fetch(callbackUrl.href);
		expect(landing.status).toBe(303);
		expect(locationOf(landing, server.url).pathname).toBe('/home');
		const sessionCookie = landing.headers.getSetCookie().find((c) => c.startsWith('ma_session='));
		expect(sessionCookie).toMatch(/HttpOnly/i);
		expect(sessionCookie).toMatch(/SameSite=Lax/i);
		expect(sessionCookie).toMatch(/Path=\//i);
		expect(app.jar.has('ma_session')).toBe(true);
		// The state is spent with the callback.
		expect(app.jar.has('ma_oidc_state')).toBe(false);

		const home = await app.fetch(`${server.url}/home`);
		expect(home.status).toBe(200);
	});

	it('shows Mario Bianchi his son Tommaso without any activation code: SPID proved his codice fiscale', async () => {
		const { app, landingUrl } = await eidLogin(server.url, CHIUSI, { sub: testSubs.mario });
		expect(landingUrl.pathname).toBe('/home');
		const me = await app.trpc.auth.me.query();
		expect(me).toMatchObject({
			givenName: 'Mario',
			familyName: 'Bianchi',
			fiscalCodeVerified: true,
			tenant: { slug: CHIUSI, name: 'Chiusi della Verna' },
			roles: ['guardian'],
			home: '/home'
		});
		const consumers = await app.trpc.guardian.consumers.query();
		expect(consumers).toHaveLength(1);
		expect(consumers[0]).toMatchObject({ givenName: 'Tommaso', familyName: 'Bianchi' });
		expect(consumers[0].services.map((s) => s.name)).toEqual(['Mensa']);
		await expect(app.trpc.guardian.consumer.query({ consumerId: consumers[0].id })).resolves.toMatchObject({ givenName: 'Tommaso' });
		const profile = await app.trpc.profile.get.query();
		expect(profile).toMatchObject({ codiceFiscale: 'BNCMRA79D10C663Z', fiscalCodeVerified: true });
	});

	it('logs the same person into the same account with CIE as with SPID', async () => {
		const spid = await eidLogin(server.url, CHIUSI, { sub: testSubs.mario });
		const cie = testClient(server.url);
		const authorizationUrl = await beginEidLogin(cie, server.url, CHIUSI, 'cie');
		expect(authorizationUrl.searchParams.get('idp_hint')).toBe('cie');
		const visit = await openProviderLogin(authorizationUrl);
		expect(visit.html).toContain('PROVIDER DI TEST');
		expect(visit.html).toContain('Entra con CIE (test)');
		const landing = await cie.fetch((await finishAtProvider(visit, { sub: testSubs.mario })).href);
		expect(locationOf(landing, server.url).pathname).toBe('/home');
		const [a, b] = await Promise.all([spid.app.trpc.guardian.consumers.query(), cie.trpc.guardian.consumers.query()]);
		expect(b).toEqual(a);
		expect((await cie.trpc.auth.me.query())?.email).toBe((await spid.app.trpc.auth.me.query())?.email);
	});

	it('creates a new guardian account on the first login of someone unknown (Giulia Neri), with no children', async () => {
		const first = await eidLogin(server.url, CHIUSI, { sub: testSubs.giulia });
		expect(first.landingUrl.pathname).toBe('/home');
		const me = await first.app.trpc.auth.me.query();
		expect(me).toMatchObject({
			givenName: 'Giulia',
			familyName: 'Neri',
			fiscalCodeVerified: true,
			tenant: { slug: CHIUSI },
			roles: ['guardian']
		});
		expect(await first.app.trpc.guardian.consumers.query()).toEqual([]);
		expect(await first.app.trpc.profile.get.query()).toMatchObject({ codiceFiscale: 'NRIGLI90B55D612H', fiscalCodeVerified: true });

		// A second login finds the same account instead of making another one.
		const second = await eidLogin(server.url, CHIUSI, { sub: testSubs.giulia });
		const again = await second.app.trpc.auth.me.query();
		expect(again).toEqual(me);
	});

	it('links SPID to the e-mail account with the same codice fiscale once its password is given (Paolo Conti)', async () => {
		const registered = { email: 'paolo.registrato@example.org', password: 'Verna-Refezione-2026!' };
		const paolo = await registerVerified(registered, 'Paolo', 'Conti', 'CNTPLA80M20D612L');
		// A typed codice fiscale proves nothing.
		expect(await paolo.trpc.profile.get.query()).toMatchObject({ codiceFiscale: 'CNTPLA80M20D612L', fiscalCodeVerified: false });

		const viaSpid = await eidLogin(server.url, CHIUSI, { sub: testSubs.paolo });
		expect(viaSpid.landingUrl.pathname).toBe(`/login/${CHIUSI}/collega`);
		expect(viaSpid.app.jar.has('ma_session')).toBe(false);
		const page = await viaSpid.app.fetch(viaSpid.landingUrl.href);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('p•••o@example.org');

		const wrong = await postForm(viaSpid.app, `/login/${CHIUSI}/collega?/claim`, { password: 'not-his-password' });
		expect(wrong.status).toBe(400);
		expect(viaSpid.app.jar.has('ma_session')).toBe(false);

		const claimed = await postForm(viaSpid.app, `/login/${CHIUSI}/collega?/claim`, { password: registered.password });
		expect(claimed.status).toBe(303);
		expect(claimed.headers.get('location')).toBe('/home');
		const me = await viaSpid.app.trpc.auth.me.query();
		expect(me).toMatchObject({ email: registered.email, givenName: 'Paolo', familyName: 'Conti', fiscalCodeVerified: true });

		// From now on SPID goes straight in, to the same account.
		const again = await eidLogin(server.url, CHIUSI, { sub: testSubs.paolo });
		expect(again.landingUrl.pathname).toBe('/home');
		expect(await again.app.trpc.auth.me.query()).toMatchObject({ email: registered.email });
		// And the password login finds the proved codice fiscale too.
		const byPassword = testClient(server.url);
		await byPassword.trpc.auth.login.mutate({ tenantSlug: CHIUSI, ...registered });
		expect(await byPassword.trpc.profile.get.query()).toMatchObject({ loginEmail: registered.email, fiscalCodeVerified: true });
	});
});

async function registerVerified(credentials: { email: string; password: string }, givenName: string, familyName: string, codiceFiscale: string) {
	const client = testClient(server.url);
	await client.trpc.auth.register.mutate({ tenantSlug: CHIUSI, givenName, familyName, codiceFiscale, ...credentials, privacyAccepted: true });
	const mail = await server.smtp.waitFor(credentials.email, (m) => m.subject.includes('Conferma'));
	await client.trpc.auth.verifyEmail.mutate({ token: linkIn(mail, '/verifica').searchParams.get('token')! });
	await client.trpc.auth.login.mutate({ tenantSlug: CHIUSI, ...credentials });
	return client;
}

async function postForm(app: ReturnType<typeof testClient>, path: string, fields: Record<string, string>) {
	return app.fetch(`${server.url}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
		body: new URLSearchParams(fields).toString()
	});
}

describe('SPID/CIE refusals', () => {
	it('answers 404 where the Comune has not turned SPID/CIE on (Mazzè) or does not exist', async () => {
		const app = testClient(server.url);
		for (const path of ['/login/mazze/spid', '/login/mazze/cie', '/login/comune-inesistente/spid']) {
			const response = await app.fetch(`${server.url}${path}`);
			expect(response.status, path).toBe(404);
			expect(response.headers.get('location'), path).toBeNull();
		}
		expect(app.jar.has('ma_oidc_state')).toBe(false);
		const body = await (await app.fetch(`${server.url}/login/mazze/spid`)).text();
		expect(body).toContain('non è attivo per il Comune di Mazzè');
	});

	it('refuses a callback with a wrong or missing state, and opens no session', async () => {
		for (const query of ['code=abc&state=not-the-right-state', 'code=abc', '']) {
			const app = testClient(server.url);
			await beginEidLogin(app, server.url, CHIUSI);
			const response = await app.fetch(`${server.url}/auth/oidc/callback?${query}`);
			expect(response.status, query).toBe(303);
			const target = locationOf(response, server.url);
			expect(target.searchParams.get('errore'), query).toMatch(/^(sessione-non-valida|richiesta-scaduta)$/);
			expect(target.pathname).not.toBe('/home');
			expect(response.headers.getSetCookie().some((c) => c.startsWith('ma_session=')), query).toBe(false);
			expect(app.jar.has('ma_session')).toBe(false);
			expect(await app.trpc.auth.me.query()).toBeNull();
		}
	});

	it('refuses a real callback presented by another browser (no state cookie), and a replay of a used one', async () => {
		const victim = testClient(server.url);
		const visit = await openProviderLogin(await beginEidLogin(victim, server.url, CHIUSI));
		const callbackUrl = await finishAtProvider(visit, { sub: testSubs.giulia });

		const other = testClient(server.url);
		const stolen = await other.fetch(callbackUrl.href);
		expect(stolen.status).toBe(303);
		expect(locationOf(stolen, server.url).searchParams.get('errore')).toBeTruthy();
		expect(other.jar.has('ma_session')).toBe(false);
		expect(await other.trpc.auth.me.query()).toBeNull();

		// The browser that started the login can still finish it, once.
		const landing = await victim.fetch(callbackUrl.href);
		expect(locationOf(landing, server.url).pathname).toBe('/home');
		expect((await victim.trpc.auth.me.query())?.givenName).toBe('Giulia');

		const replay = testClient(server.url);
		replay.jar.set('ma_oidc_state', callbackUrl.searchParams.get('state')!);
		const replayed = await replay.fetch(callbackUrl.href);
		expect(replayed.status).toBe(303);
		expect(locationOf(replayed, server.url).searchParams.get('errore')).toBeTruthy();
		expect(replay.jar.has('ma_session')).toBe(false);
	});

	it('comes back from a cancel at the provider with the errore key, its Italian message on the page, and no session', async () => {
		const { app, callbackUrl, landing, landingUrl } = await eidLogin(server.url, CHIUSI, 'abort');
		expect(callbackUrl.pathname).toBe('/auth/oidc/callback');
		expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
		expect(landing.status).toBe(303);
		expect(landingUrl.pathname).toBe(`/login/${CHIUSI}`);
		expect(landingUrl.searchParams.get('errore')).toBe('annullato');
		// The login page shows the message for the key, in Italian.
		expect(await (await app.fetch(landingUrl.href)).text()).toContain('Accesso con identità digitale non riuscito o annullato. Riprova.');
		// Words a link brings itself are not shown as the Comune's alert.
		const forged = await (await app.fetch(`${server.url}/login/${CHIUSI}?errore=${encodeURIComponent('Conto bloccato: chiama il 899 000 000')}`)).text();
		expect(forged).not.toContain('899 000 000');
		expect(app.jar.has('ma_session')).toBe(false);
		expect(await app.trpc.auth.me.query()).toBeNull();

		// The login page shows the message to the user.
		const page = await app.fetch(landingUrl.href);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('non riuscito o annullato');
	});

	it('takes a client secret the admin types again at the next login, without a restart', async () => {
		const issuer = (await beginEidLogin(testClient(server.url), server.url, CHIUSI)).origin;
		const db = new Database(server.dbPath);
		const setSecret = (secret: string) => db.prepare(`UPDATE tenants SET oidc_issuer = ?, oidc_client_id = ?, oidc_client_secret = ? WHERE slug = ?`).run(issuer, TEST_CLIENT.clientId, secret, CHIUSI);
		try {
			// A wrong secret: the provider refuses the code exchange, and the app says the login failed.
			setSecret('un-segreto-sbagliato');
			const refused = await eidLogin(server.url, CHIUSI, { sub: testSubs.mario });
			expect(refused.landingUrl.pathname).toBe(`/login/${CHIUSI}`);
			expect(refused.app.jar.has('ma_session')).toBe(false);
			// The admin types the right one (in clear here: the server reads it as it is).
			setSecret(TEST_CLIENT.clientSecret);
			const { landingUrl } = await eidLogin(server.url, CHIUSI, { sub: testSubs.mario });
			expect(landingUrl.pathname).toBe('/home');
		} finally {
			db.prepare(`UPDATE tenants SET oidc_issuer = NULL, oidc_client_id = NULL, oidc_client_secret = NULL WHERE slug = ?`).run(CHIUSI);
			db.close();
		}
	});

	it('sends back to the login page with a message, not an error, when the client secret stops opening mid-login', async () => {
		const issuer = (await beginEidLogin(testClient(server.url), server.url, CHIUSI)).origin;
		const db = new Database(server.dbPath);
		const setSecret = (secret: string) => db.prepare(`UPDATE tenants SET oidc_issuer = ?, oidc_client_id = ?, oidc_client_secret = ? WHERE slug = ?`).run(issuer, TEST_CLIENT.clientId, secret, CHIUSI);
		try {
			setSecret(TEST_CLIENT.clientSecret);
			const app = testClient(server.url);
			const visit = await openProviderLogin(await beginEidLogin(app, server.url, CHIUSI));
			const callbackUrl = await finishAtProvider(visit, { sub: testSubs.mario });
			// Meanwhile the secret is replaced by one sealed under another installation's key.
			setSecret(sealTenantSecret(createSealer(randomBytes(32)), CHIUSI, 'oidcClientSecret', TEST_CLIENT.clientSecret));
			const landing = await app.fetch(callbackUrl.href);
			expect(landing.status).toBe(303);
			const to = locationOf(landing, server.url);
			expect(to.pathname).toBe(`/login/${CHIUSI}`);
			expect(to.searchParams.get('errore')).toBe('spid-non-disponibile');
			expect(app.jar.has('ma_session')).toBe(false);
		} finally {
			db.prepare(`UPDATE tenants SET oidc_issuer = NULL, oidc_client_id = NULL, oidc_client_secret = NULL WHERE slug = ?`).run(CHIUSI);
			db.close();
		}
	});
});
