import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClient, failure } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';

let server: TestServer;
beforeAll(async () => {
	server = await startTestServer();
});
afterAll(() => server?.stop());

const newcomer = {
	tenantSlug: 'mazze',
	givenName: 'Giovanni',
	familyName: 'Ferrari',
	codiceFiscale: 'FRRGNN82H15L219L',
	email: 'giovanni.ferrari@example.com',
	password: 'Refezione-Mazzè-42',
	privacyAccepted: true as const
};


describe('register → verify → login → logout', () => {
	it('works only once the e-mail is verified', async () => {
		const { trpc } = testClient(server.url);
		await expect(trpc.auth.register.mutate(newcomer)).resolves.toEqual({ status: 'sent' });

		const mail = await server.smtp.waitFor(newcomer.email, (m) => m.subject.includes('Conferma'));
		const link = linkIn(mail, '/verifica');

		const early = await failure(trpc.auth.login.mutate({ tenantSlug: 'mazze', email: newcomer.email, password: newcomer.password }));
		expect(early.data?.reason).toBe('EMAIL_NOT_VERIFIED');

		const verified = await trpc.auth.verifyEmail.mutate({ token: link.searchParams.get('token')! });
		expect(verified.loginPath).toBe('/login/mazze');
		// Single use: the same link again is refused.
		const again = await failure(trpc.auth.verifyEmail.mutate({ token: link.searchParams.get('token')! }));
		expect(again.data?.httpStatus).toBe(401);

		const { home } = await trpc.auth.login.mutate({ tenantSlug: 'mazze', email: newcomer.email, password: newcomer.password });
		expect(home).toBe('/home');
		const me = await trpc.auth.me.query();
		expect(me).toMatchObject({ givenName: 'Giovanni', tenant: { slug: 'mazze' }, roles: ['guardian'] });

		await trpc.auth.logout.mutate();
		expect(await trpc.auth.me.query()).toBeNull();
	});

	it('answers a second registration of the same address like a new one, and tells the owner by mail', async () => {
		const { trpc } = testClient(server.url);
		await expect(trpc.auth.register.mutate({ ...newcomer, password: 'Altra-password-lunga-7' })).resolves.toEqual({ status: 'sent' });
		await server.smtp.waitFor(newcomer.email, (m) => m.subject.includes('già un account'));
	});

	it('refuses a weak password and a bad codice fiscale with Italian messages', async () => {
		const { trpc } = testClient(server.url);
		const weak = await failure(trpc.auth.register.mutate({ ...newcomer, email: 'weak@example.com', password: 'password12' }));
		expect(weak.data?.fieldErrors?.password).toMatch(/troppo comune/);
		const badCf = await failure(trpc.auth.register.mutate({ ...newcomer, email: 'cf@example.com', codiceFiscale: 'FRRGNN82H15L219X' }));
		expect(badCf.data?.fieldErrors?.codiceFiscale).toMatch(/Codice fiscale/);
	});
});
