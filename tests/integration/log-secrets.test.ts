import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';

/*
 * Everything the server process writes (stdout and stderr, the demo seed's notice included)
 * while people sign in, reset a password through its link, register with a codice fiscale and
 * activate a child with a code, and while a caller sends credentials: none of those secrets may
 * be in it, and every line is a JSON log line.
 */

let server: TestServer;
beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
});
afterAll(() => server?.stop());

const maria = { tenantSlug: 'mazze', email: 'maria.rossi@example.com' };
const giovanni = {
	tenantSlug: 'mazze',
	givenName: 'Giovanni',
	familyName: 'Ferrari',
	codiceFiscale: 'FRRGNN82H15L219L',
	email: 'giovanni.ferrari@example.com',
	password: 'Refezione-Mazzè-42',
	privacyAccepted: true as const
};
const ACTIVATION_CODE = 'MZZ7-K4PQ-2RTA';

describe('the server log', () => {
	it('carries no password, token, activation code, session cookie, credential or codice fiscale', async () => {
		const secrets: Record<string, string> = { giovanniPassword: giovanni.password, codiceFiscale: giovanni.codiceFiscale, activationCode: ACTIVATION_CODE };

		// A password reset through its e-mailed link, the page visited with ?token= in the address.
		const anon = testClient(server.url);
		await anon.trpc.auth.requestReset.mutate(maria);
		const resetLink = linkIn(await server.smtp.waitFor(maria.email, (m) => m.subject.includes('Reimposta')), '/reimposta?token=');
		secrets.resetToken = resetLink.searchParams.get('token')!;
		expect((await anon.fetch(resetLink.href)).status).toBe(200);
		secrets.newPassword = 'Nuova-Refezione-Mazzè-77';
		await anon.trpc.auth.resetPassword.mutate({ token: secrets.resetToken, password: secrets.newPassword });
		const signedIn = testClient(server.url);
		await signedIn.trpc.auth.login.mutate({ ...maria, password: secrets.newPassword });
		secrets.mariaSession = signedIn.jar.get('ma_session')!;
		expect((await signedIn.fetch(`${server.url}/home`)).status).toBe(200);

		// A registration with a codice fiscale, its verification link, and an activation with the printed code.
		const parent = testClient(server.url);
		await parent.trpc.auth.register.mutate(giovanni);
		const verifyLink = linkIn(await server.smtp.waitFor(giovanni.email, (m) => m.subject.includes('Conferma')), '/verifica');
		secrets.verifyToken = verifyLink.searchParams.get('token')!;
		expect((await parent.fetch(verifyLink.href)).status).toBe(200);
		await parent.trpc.auth.verifyEmail.mutate({ token: secrets.verifyToken });
		await parent.trpc.auth.login.mutate({ tenantSlug: 'mazze', email: giovanni.email, password: giovanni.password });
		secrets.giovanniSession = parent.jar.get('ma_session')!;
		// Typed the way a parent may type it, and then as printed.
		await expect(parent.trpc.guardian.activate.mutate({ code: 'mzz7 k4pq 2rtx' })).rejects.toThrow(/non valido/);
		await expect(parent.trpc.guardian.activate.mutate({ code: ACTIVATION_CODE })).resolves.toMatchObject({ givenName: 'Anna' });

		// Credentials sent where they are wrong: a receipt with a made-up bearer secret, a forged session.
		secrets.bearer = 'segreto-inventato-per-le-ricevute-42';
		const receipt = await fetch(`${server.url}/api/pagopa/receipts`, { method: 'POST', headers: { authorization: `Bearer ${secrets.bearer}`, 'content-type': 'application/json' }, body: '{}' });
		expect(receipt.ok).toBe(false);
		secrets.forgedSession = 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz';
		await fetch(`${server.url}/home`, { headers: { cookie: `ma_session=${secrets.forgedSession}` }, redirect: 'manual' });

		await server.halt();
		const output = server.output();
		const leaked = Object.entries(secrets)
			.filter(([, secret]) => [secret, secret.toLowerCase(), secret.replaceAll('-', '')].some((s) => output.includes(s)))
			.map(([name]) => name);
		expect(leaked).toEqual([]);

		// Not vacuous: the requests above are all in the log, by route and status.
		// adapter-node's start line and the embedded test identity provider's warnings are the only plain lines.
		const lines = output.split('\n').filter((l) => l.trim() && !/^(Listening on |oidc-provider WARNING: )/.test(l));
		const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
		const routes = entries.filter((e) => e.msg === 'request').map((e) => `${e.method} ${e.route} ${e.status}`);
		expect(routes).toEqual(
			expect.arrayContaining(['GET /reimposta 200', 'GET /verifica 200', 'GET /(parent)/home 200', 'POST /api/trpc/[...trpc] 200', `POST /api/pagopa/receipts ${receipt.status}`])
		);
		// The demo notice is there too, its codes and codici fiscali masked.
		expect(entries.some((e) => typeof e.msg === 'string' && e.msg.includes('[codice fiscale]'))).toBe(true);
	});
});
