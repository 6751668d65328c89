import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';
import { eidLogin, testSubs } from '../helpers/oidc-flow.js';

// Its own server: Mario must not have logged in with SPID before the impostor registers.
let server: TestServer;
beforeAll(async () => {
	server = await startTestServer();
});
afterAll(() => server?.stop());

const CHIUSI = 'chiusi-della-verna';

it('never hands a SPID identity to an account that merely typed its codice fiscale', async () => {
	const impostor = testClient(server.url);
	const credentials = { email: 'impostore@example.net', password: 'Sono-un-impostore-99' };
	await impostor.trpc.auth.register.mutate({ tenantSlug: CHIUSI, givenName: 'Mario', familyName: 'Bianchi', codiceFiscale: 'BNCMRA79D10C663Z', ...credentials, privacyAccepted: true });
	const mail = await server.smtp.waitFor(credentials.email, (m) => m.subject.includes('Conferma'));
	await impostor.trpc.auth.verifyEmail.mutate({ token: linkIn(mail, '/verifica').searchParams.get('token')! });
	await impostor.trpc.auth.login.mutate({ tenantSlug: CHIUSI, ...credentials });
	expect(await impostor.trpc.guardian.consumers.query()).toEqual([]);

	// The real Mario is asked to claim the account with its password, which he cannot: he declines.
	const mario = await eidLogin(server.url, CHIUSI, { sub: testSubs.mario });
	expect(mario.landingUrl.pathname).toBe(`/login/${CHIUSI}/collega`);
	const declined = await mario.app.fetch(`${server.url}/login/${CHIUSI}/collega?/separate`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
		body: ''
	});
	expect(declined.status).toBe(303);
	expect(declined.headers.get('location')).toBe('/home');
	expect((await mario.app.trpc.guardian.consumers.query()).map((c) => c.givenName)).toEqual(['Tommaso']);
	expect((await mario.app.trpc.auth.me.query())?.email).toBe('mario.bianchi@example.com');

	// The impostor's sessions and password still reach no child.
	expect(await impostor.trpc.guardian.consumers.query()).toEqual([]);
	const again = testClient(server.url);
	await again.trpc.auth.login.mutate({ tenantSlug: CHIUSI, ...credentials });
	expect(await again.trpc.guardian.consumers.query()).toEqual([]);
});
