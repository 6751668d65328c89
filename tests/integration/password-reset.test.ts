import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { DEMO_PASSWORD, failure, testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';

let server: TestServer;
beforeAll(async () => {
	server = await startTestServer();
});
afterAll(() => server?.stop());

const maria = { tenantSlug: 'mazze', email: 'maria.rossi@example.com' };


/** A non-batched tRPC mutation as httpLink sends it: POST /api/trpc/<path> with the raw input as JSON. */
function rawMutation(path: string, input: unknown) {
	return fetch(`${server.url}/api/trpc/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', origin: server.url },
		body: JSON.stringify(input)
	});
}

describe('password reset by e-mail', () => {
	it('resets with a strong password only, ends older sessions, and works once', async () => {
		const before = testClient(server.url);
		await before.trpc.auth.login.mutate({ ...maria, password: DEMO_PASSWORD });
		expect((await before.trpc.auth.me.query())?.email).toBe(maria.email);

		const anon = testClient(server.url);
		await expect(anon.trpc.auth.requestReset.mutate(maria)).resolves.toEqual({ status: 'sent' });
		const mail = await server.smtp.waitFor(maria.email, (m) => m.subject.includes('Reimposta la password'));
		expect(mail.subject).toContain('Mazzè');
		const link = linkIn(mail, '/reimposta?token=');
		expect(link.origin).toBe(server.url);
		const token = link.searchParams.get('token')!;
		expect(token).toMatch(/^[a-z2-7]{32}$/);
		// The page says at once whether the link works: the form for a good one, why not for another.
		expect(await (await anon.fetch(link.href)).text()).toContain('Scegli una nuova password');
		const broken = await (await anon.fetch(`${server.url}/reimposta?token=${'a'.repeat(32)}`)).text();
		expect(broken).toContain('Link non più valido');
		expect(broken).not.toContain('Salva la nuova password');

		// A weak password is refused next to the field, and does not spend the link.
		const common = await failure(anon.trpc.auth.resetPassword.mutate({ token, password: 'password12' }));
		expect(common.data?.httpStatus).toBe(400);
		expect(common.data?.fieldErrors?.password).toMatch(/troppo comune/);
		const short = await failure(anon.trpc.auth.resetPassword.mutate({ token, password: 'Corta-1' }));
		expect(short.data?.fieldErrors?.password).toMatch(/almeno 10 caratteri/);
		// The old password still works until the reset is done.
		await testClient(server.url).trpc.auth.login.mutate({ ...maria, password: DEMO_PASSWORD });

		const newPassword = 'Nuova-Refezione-Mazzè-77';
		await expect(anon.trpc.auth.resetPassword.mutate({ token, password: newPassword })).resolves.toEqual({
			status: 'reset',
			loginPath: '/login/mazze'
		});

		// Every session opened before the reset is over.
		expect(await before.trpc.auth.me.query()).toBeNull();
		const guardianCall = await failure(before.trpc.guardian.consumers.query());
		expect(guardianCall.data?.code).toBe('UNAUTHORIZED');

		const old = await failure(testClient(server.url).trpc.auth.login.mutate({ ...maria, password: DEMO_PASSWORD }));
		expect(old.data?.code).toBe('UNAUTHORIZED');
		expect(old.message).toBe('E-mail o password non corretti.');

		const after = testClient(server.url);
		await expect(after.trpc.auth.login.mutate({ ...maria, password: newPassword })).resolves.toEqual({ home: '/home' });
		expect(await after.trpc.auth.me.query()).toMatchObject({ email: maria.email, givenName: 'Maria' });

		// Single use.
		const again = await failure(anon.trpc.auth.resetPassword.mutate({ token, password: 'Ancora-Un-Altra-Password-9' }));
		expect(again.data?.httpStatus).toBe(401);
		expect(again.message).toMatch(/non è valido, è già stato usato o è scaduto/);
		expect(await (await anon.fetch(link.href)).text()).toContain('Link non più valido');
		// …and the refused second use did not change the password.
		await expect(testClient(server.url).trpc.auth.login.mutate({ ...maria, password: newPassword })).resolves.toEqual({ home: '/home' });
	});

	it('refuses a made-up or malformed token', async () => {
		const { trpc } = testClient(server.url);
		const madeUp = await failure(trpc.auth.resetPassword.mutate({ token: 'a'.repeat(32), password: 'Una-Password-Robusta-1' }));
		expect(madeUp.data?.httpStatus).toBe(401);
		const malformed = await failure(trpc.auth.resetPassword.mutate({ token: 'not-a-token', password: 'Una-Password-Robusta-1' }));
		expect(malformed.data?.httpStatus).toBe(400);
		expect(malformed.data?.fieldErrors?.token).toMatch(/Link non valido/);
	});

	it('answers an unknown address exactly like a known one, and sends it nothing', async () => {
		const unknown = 'nessuno.qui@example.com';
		const known = 'cucina@mazze.example.it';
		const forUnknown = await rawMutation('auth.requestReset', { tenantSlug: 'mazze', email: unknown });
		const forKnown = await rawMutation('auth.requestReset', { tenantSlug: 'mazze', email: known });
		// A known address of another Comune is unknown here.
		const otherComune = await rawMutation('auth.requestReset', { tenantSlug: 'chiusi-della-verna', email: known });

		const [u, k, o] = await Promise.all([forUnknown.text(), forKnown.text(), otherComune.text()]);
		expect(forUnknown.status).toBe(200);
		expect(forKnown.status).toBe(forUnknown.status);
		expect(otherComune.status).toBe(forUnknown.status);
		expect(k).toBe(u);
		expect(o).toBe(u);
		expect(JSON.parse(u)).toEqual({ result: { data: { status: 'sent' } } });
		for (const header of ['content-type', 'set-cookie', 'retry-after']) {
			expect(forKnown.headers.get(header), header).toBe(forUnknown.headers.get(header));
		}

		await server.smtp.waitFor(known, (m) => m.subject.includes('Reimposta la password'));
		expect(server.smtp.received.filter((m) => m.to === unknown)).toEqual([]);
		// Exactly one reset mail to the known address: the request made in the other Comune sent none.
		expect(server.smtp.received.filter((m) => m.to === known && m.subject.includes('Reimposta'))).toHaveLength(1);
		expect(server.smtp.received.find((m) => m.to === known)!.subject).toContain('Mazzè');
	});
});

describe('login rate limit', () => {
	it('answers HTTP 429 with Retry-After and an Italian message after repeated failures for one account', async () => {
		const account = { tenantSlug: 'mazze', email: 'infanzia@mazze.example.it' };
		const statuses: number[] = [];
		let limited: Response | undefined;
		for (let attempt = 0; attempt < 20 && !limited; attempt++) {
			const response = await rawMutation('auth.login', { ...account, password: `sbagliata-${attempt}-xyz` });
			statuses.push(response.status);
			if (response.status === 429) limited = response;
			else expect(response.status).toBe(401);
		}
		expect(limited, `statuses: ${statuses.join(',')}`).toBeDefined();
		// Some failures are allowed first: a typo is not an attack.
		expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(3);

		const retryAfter = Number(limited!.headers.get('retry-after'));
		expect(Number.isInteger(retryAfter)).toBe(true);
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(15 * 60);
		const body = await limited!.json();
		expect(body.error.data.code).toBe('TOO_MANY_REQUESTS');
		expect(body.error.data.httpStatus).toBe(429);
		expect(body.error.message).toMatch(/^Troppi tentativi\. Per sicurezza riprova fra (un minuto|\d+ minuti)\.$/);
		expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.js/);

		// While the account is locked, even the right password waits.
		const right = await rawMutation('auth.login', { ...account, password: DEMO_PASSWORD });
		expect(right.status).toBe(429);
		expect(right.headers.get('retry-after')).toBeTruthy();
		await right.text();

		// The typed client sees the same refusal.
		const typed = await failure(testClient(server.url).trpc.auth.login.mutate({ ...account, password: 'ancora-sbagliata-1' }));
		expect(typed.data?.code).toBe('TOO_MANY_REQUESTS');
		expect(typed.message).toMatch(/Troppi tentativi/);

		// The lock is per account: another account from the same address still gets in (on to its second factor).
		await expect(testClient(server.url).trpc.auth.login.mutate({ tenantSlug: 'mazze', email: 'ufficio@mazze.example.it', password: DEMO_PASSWORD })).resolves.toEqual({
			home: '/accesso/codice'
		});
	});
});
