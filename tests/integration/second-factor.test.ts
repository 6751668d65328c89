import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';
import Database from 'better-sqlite3';
import { authenticatorCode, demoTotpKey } from '../helpers/second-factor.js';
import { isSealed } from '../../server/auth/sealed.js';

/*
 * Staff sign in with the password and then a code from their authenticator app; parents do not.
 * Until the code, a staff session reaches nothing: no procedure, no page. Driven over HTTP
 * against the real server, with the codes a phone would show at the server's clock.
 */

const PASSWORD = 'MensaAperta-2026';
let server: TestServer;
type Client = ReturnType<typeof testClient>;

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
});
afterAll(() => server?.stop());

async function withPassword(email: string, tenantSlug?: string, password = PASSWORD): Promise<{ client: Client; home: string }> {
	const client = testClient(server.url);
	const { home } = await client.trpc.auth.login.mutate({ tenantSlug, email, password });
	return { client, home };
}

describe('the second factor', () => {
	it('a parent goes straight in; a staff member with the password alone reaches nothing but the code page', async () => {
		expect((await withPassword('maria.rossi@example.com', 'mazze')).home).toBe('/home');

		const { client, home } = await withPassword('ufficio@mazze.example.it', 'mazze');
		expect(home).toBe('/accesso/codice');
		expect(await client.trpc.auth.secondFactor.query()).toEqual({ status: 'code' });
		for (const call of [() => client.trpc.officeSchools.overview.query(), () => client.trpc.officeConsumers.list.query({ page: 1, sort: 'name', dir: 'asc', q: '', schoolId: null, schoolClassId: null, unlinked: false }), () => client.trpc.profile.get.query()]) {
			const refused = await failure(call());
			expect(refused.data?.code).toBe('FORBIDDEN');
			expect(refused.message).toBe('Conferma prima l’accesso con il codice della tua app di autenticazione.');
		}
		for (const page of ['/ufficio', '/ufficio/consumatori', '/cucina', '/ufficio/esporta/alunni.csv']) {
			const r = await client.fetch(`${server.url}${page}`);
			expect(r.status, page).toBe(303);
			expect(r.headers.get('location'), page).toBe('/accesso/codice');
		}

		const wrong = await failure(client.trpc.auth.proveSecondFactor.mutate({ code: '000000' }));
		expect(wrong.message).toBe('Codice non valido o già usato: controlla che l’ora del telefono sia giusta e riprova.');
		const code = await authenticatorCode(server.url, 'ufficio@mazze.example.it');
		expect(await client.trpc.auth.proveSecondFactor.mutate({ code })).toMatchObject({ status: 'ok', home: '/ufficio', recoveryCodes: null });
		expect((await client.trpc.officeSchools.overview.query()).schools.length).toBeGreaterThan(0);
		expect((await client.fetch(`${server.url}/ufficio`)).status).toBe(200);

		// The same code, overheard and tried from another device with the stolen password: refused.
		const thief = await withPassword('ufficio@mazze.example.it', 'mazze');
		expect((await failure(thief.client.trpc.auth.proveSecondFactor.mutate({ code }))).data?.code).toBe('UNAUTHORIZED');
		expect((await failure(thief.client.trpc.officeSchools.overview.query())).data?.code).toBe('FORBIDDEN');
	});

	it('a new operator enrols at the first sign-in and gets ten recovery codes, each good once', async () => {
		const admin = await withPassword('admin@mensa-aperta.example');
		await admin.client.trpc.auth.proveSecondFactor.mutate({ code: await authenticatorCode(server.url, 'admin@mensa-aperta.example') });
		await admin.client.trpc.admin.inviteOperator.mutate({ tenantId: 1, givenName: 'Paola', familyName: 'Neri', email: 'paola.neri@mazze.example.it' });
		const token = linkIn(await server.smtp.waitFor('paola.neri@mazze.example.it'), '/invito?token=').searchParams.get('token')!;
		await testClient(server.url).trpc.invitations.accept.mutate({ token, password: 'Refezione-Mazzè-2026' });

		const first = await withPassword('paola.neri@mazze.example.it', 'mazze', 'Refezione-Mazzè-2026');
		expect(first.home).toBe('/accesso/codice');
		const step = await first.client.trpc.auth.secondFactor.query();
		if (step.status !== 'enrol') throw new Error(`expected an enrolment, got ${step.status}`);
		expect(step.uri).toMatch(/^otpauth:\/\/totp\/Mensa%20Aperta%20Mazz%C3%A8:paola\.neri%40mazze\.example\.it\?issuer=Mensa\+Aperta\+Mazz%C3%A8&algorithm=SHA1&secret=[A-Z2-7]+&period=30&digits=6$/);
		// The page shows the key for typing by hand: the phone's copy of it.
		const phone = decodeBase32IgnorePadding(step.secret);
		const enrolled = await first.client.trpc.auth.proveSecondFactor.mutate({ code: await authenticatorCode(server.url, 'paola.neri', phone) });
		expect(enrolled.recoveryCodesLeft).toBe(10);
		expect(enrolled.recoveryCodes).toHaveLength(10);
		expect(new Set(enrolled.recoveryCodes).size).toBe(10);
		// The database file does not hold her key, nor the demo staff's, as an authenticator app would use it: sealed under the key file beside it.
		const stored = new Database(server.dbPath, { readonly: true });
		try {
			const keys = stored.prepare(`SELECT key FROM totp_credentials`).pluck().all() as Buffer[];
			expect(keys.length).toBeGreaterThan(4);
			expect(keys.every((k) => isSealed(k) && !k.includes(Buffer.from(phone)) && !k.includes(Buffer.from(demoTotpKey)))).toBe(true);
		} finally {
			stored.close();
		}

		const lostPhone = await withPassword('paola.neri@mazze.example.it', 'mazze', 'Refezione-Mazzè-2026');
		expect(await lostPhone.client.trpc.auth.secondFactor.query()).toEqual({ status: 'code' });
		expect(await lostPhone.client.trpc.auth.proveSecondFactor.mutate({ code: enrolled.recoveryCodes![0].toUpperCase() })).toMatchObject({ status: 'ok', recoveryCodesLeft: 9 });
		const again = await withPassword('paola.neri@mazze.example.it', 'mazze', 'Refezione-Mazzè-2026');
		expect((await failure(again.client.trpc.auth.proveSecondFactor.mutate({ code: enrolled.recoveryCodes![0] }))).data?.code).toBe('UNAUTHORIZED');

		// Her stored key damaged: the code is refused with what to do, and a recovery code still lets her in.
		const file = new Database(server.dbPath);
		try {
			file.pragma('busy_timeout = 5000');
			const key = file.prepare(`SELECT t.key FROM totp_credentials t JOIN users u ON u.id = t.user_id WHERE u.email = 'paola.neri@mazze.example.it'`).pluck().get() as Buffer;
			key[key.length - 1] ^= 1;
			file.prepare(`UPDATE totp_credentials SET key = ? WHERE user_id = (SELECT id FROM users WHERE email = 'paola.neri@mazze.example.it')`).run(key);
		} finally {
			file.close();
		}
		const damaged = await withPassword('paola.neri@mazze.example.it', 'mazze', 'Refezione-Mazzè-2026');
		const refused = await failure(damaged.client.trpc.auth.proveSecondFactor.mutate({ code: await authenticatorCode(server.url, 'paola.neri', phone) }));
		expect(refused.data?.code).toBe('FORBIDDEN');
		expect(refused.message).toBe('La chiave della tua app di autenticazione non si può leggere su questo server: entra con uno dei codici di recupero, o chiedi a un amministratore di reimpostarla.');
		expect(await damaged.client.trpc.auth.proveSecondFactor.mutate({ code: enrolled.recoveryCodes![1] })).toMatchObject({ status: 'ok', recoveryCodesLeft: 8 });
	});

	it('an admin ends a staff member’s sessions, or resets the authenticator so the next sign-in enrols again', async () => {
		const admin = await withPassword('admin@mensa-aperta.example');
		await admin.client.trpc.auth.proveSecondFactor.mutate({ code: await authenticatorCode(server.url, 'admin@mensa-aperta.example') });
		const kitchen = await withPassword('cucina@mazze.example.it', 'mazze');
		await kitchen.client.trpc.auth.proveSecondFactor.mutate({ code: await authenticatorCode(server.url, 'cucina@mazze.example.it') });
		expect((await kitchen.client.fetch(`${server.url}/cucina`)).status).toBe(200);

		const staff = (await admin.client.trpc.admin.tenant.query({ tenantId: 1 })).staff;
		const cook = staff.find((s) => s.email === 'cucina@mazze.example.it')!;
		expect(cook).toMatchObject({ role: 'kitchen', secondFactor: true });
		expect(cook.sessions).toBeGreaterThanOrEqual(1);

		await admin.client.trpc.admin.secureStaff.mutate({ tenantId: 1, userId: cook.userId, action: 'end_sessions' });
		expect((await kitchen.client.fetch(`${server.url}/cucina`)).status).toBe(303);
		expect((await failure(kitchen.client.trpc.office.kitchenReport.query({ date: '2026-11-23' }))).data?.code).toBe('UNAUTHORIZED');

		await admin.client.trpc.admin.secureStaff.mutate({ tenantId: 1, userId: cook.userId, action: 'reset_second_factor' });
		const next = await withPassword('cucina@mazze.example.it', 'mazze');
		expect((await next.client.trpc.auth.secondFactor.query()).status).toBe('enrol');

		// Not someone of another Comune, not a parent, not by an operator.
		const maria = staff.find((s) => s.email === 'maria.rossi@example.com');
		expect(maria).toBeUndefined();
		expect((await failure(admin.client.trpc.admin.secureStaff.mutate({ tenantId: 2, userId: cook.userId, action: 'end_sessions' }))).data?.code).toBe('NOT_FOUND');
		const operator = await withPassword('ufficio@mazze.example.it', 'mazze');
		expect((await failure(operator.client.trpc.admin.secureStaff.mutate({ tenantId: 1, userId: cook.userId, action: 'end_sessions' }))).data?.code).toBe('FORBIDDEN');
	});

	it('a staff member renews the recovery codes from their account page: ten new ones, the old ones void', async () => {
		const { client } = await withPassword('ufficio@chiusi.example.it', 'chiusi-della-verna');
		await client.trpc.auth.proveSecondFactor.mutate({ code: await authenticatorCode(server.url, 'ufficio@chiusi.example.it') });
		const page = await client.fetch(`${server.url}/account`);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('Codici di recupero');
		const first = (await client.trpc.auth.renewRecoveryCodes.mutate()).recoveryCodes;
		expect(first).toHaveLength(10);
		expect(await client.trpc.auth.staffAccount.query()).toMatchObject({ hasPassword: true, recoveryCodesLeft: 10 });
		const second = (await client.trpc.auth.renewRecoveryCodes.mutate()).recoveryCodes;
		// A new sign-in: an old code is no good, a new one is, once.
		const next = await withPassword('ufficio@chiusi.example.it', 'chiusi-della-verna');
		expect((await failure(next.client.trpc.auth.proveSecondFactor.mutate({ code: first[0] }))).data?.code).toBe('UNAUTHORIZED');
		expect(await next.client.trpc.auth.proveSecondFactor.mutate({ code: second[0] })).toMatchObject({ recoveryCodesLeft: 9 });
		expect(await next.client.trpc.auth.staffAccount.query()).toMatchObject({ recoveryCodesLeft: 9 });
	});

	it('guessing codes meets a limit that signing in again with the password does not clear', async () => {
		let last: Awaited<ReturnType<typeof failure>> | null = null;
		let guesses = 0;
		// Seven wrong codes, then the right password again, twice over: ten guesses in all are allowed.
		for (let round = 0; round < 2; round++) {
			const { client } = await withPassword('infanzia@mazze.example.it', 'mazze');
			for (let i = 0; i < 7; i++) last = await failure(client.trpc.auth.proveSecondFactor.mutate({ code: String(100000 + guesses++) }));
		}
		expect(last?.data?.code).toBe('TOO_MANY_REQUESTS');
		expect(last?.message).toMatch(/^Troppi tentativi/);
	});
});
