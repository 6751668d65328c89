import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { DEMO_PASSWORD, failure, signedIn, testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';
import { eidLogin, locationOf, testSubs, type AppClient } from '../helpers/oidc-flow.js';

const CHIUSI_CODE = 'CHV3-WX9N-8HJE';
const ANNA_CODE = 'MZZ7-K4PQ-2RTA';

let server: TestServer;
/** Signed-in clients, one per demo account, made once. */
let maria: AppClient;
let mario: AppClient;
let operator: AppClient;
let kitchen: AppClient;
let schoolStaff: AppClient;
let admin: AppClient;
const homes: Record<string, string> = {};
let mariaChildren: { id: number; givenName: string }[];
let tommasoId: number;

/** Signed in, noting where the server sent each user (checked under "homes and page guards"). */
async function signedInNotingHome(email: string): Promise<AppClient> {
	const client = await signedIn(server.url, email);
	homes[email] = client.home;
	return client;
}

/** Registers and verifies a guardian in Mazzè, and returns a signed-in client. */
async function newGuardian(givenName: string, familyName: string, codiceFiscale: string, email: string): Promise<AppClient> {
	const client = testClient(server.url);
	const password = 'Refezione-Mazzè-42';
	await client.trpc.auth.register.mutate({ tenantSlug: 'mazze', givenName, familyName, codiceFiscale, email, password, privacyAccepted: true });
	const mail = await server.smtp.waitFor(email, (m) => m.subject.includes('Conferma'));
	await client.trpc.auth.verifyEmail.mutate({ token: linkIn(mail, '/verifica').searchParams.get('token')! });
	await client.trpc.auth.login.mutate({ tenantSlug: 'mazze', email, password });
	return client;
}

beforeAll(async () => {
	server = await startTestServer();
	maria = await signedInNotingHome('maria.rossi@example.com');
	operator = await signedInNotingHome('ufficio@mazze.example.it');
	schoolStaff = await signedInNotingHome('infanzia@mazze.example.it');
	kitchen = await signedInNotingHome('cucina@mazze.example.it');
	admin = await signedInNotingHome('admin@mensa-aperta.example');
	({ app: mario } = await eidLogin(server.url, 'chiusi-della-verna', { sub: testSubs.mario }));

	mariaChildren = await maria.trpc.guardian.consumers.query();
	const marioChildren = await mario.trpc.guardian.consumers.query();
	expect(marioChildren.map((c) => c.givenName)).toEqual(['Tommaso']);
	tommasoId = marioChildren[0].id;
});
afterAll(() => server?.stop());

describe('a guardian sees only their own children, in their own Comune', () => {
	it('lists Luca and Sofia for Maria, never a Chiusi row', async () => {
		expect(mariaChildren.map((c) => c.givenName)).toEqual(['Luca', 'Sofia']);
		expect(mariaChildren.map((c) => c.id)).not.toContain(tommasoId);
		for (const child of mariaChildren) {
			await expect(maria.trpc.guardian.consumer.query({ consumerId: child.id })).resolves.toMatchObject({ id: child.id, familyName: 'Rossi' });
		}
	});

	it('answers NOT_FOUND for another Comune’s child, both ways, like for a child that does not exist', async () => {
		const crossMaria = await failure(maria.trpc.guardian.consumer.query({ consumerId: tommasoId }));
		expect(crossMaria.data?.code).toBe('NOT_FOUND');
		for (const child of mariaChildren) {
			const crossMario = await failure(mario.trpc.guardian.consumer.query({ consumerId: child.id }));
			expect(crossMario.data?.code).toBe('NOT_FOUND');
			expect(crossMario.message).toBe(crossMaria.message);
		}
		const missing = await failure(maria.trpc.guardian.consumer.query({ consumerId: 999_999 }));
		expect(missing.data?.code).toBe('NOT_FOUND');
		expect(missing.message).toBe(crossMaria.message);
		// Nothing of the other Comune leaks into the answers.
		expect(JSON.stringify(crossMaria.data)).not.toMatch(/Tommaso|Bianchi|Chiusi/);
	});

	it('refuses another Comune’s activation code like an invalid one, and links nothing', async () => {
		for (const code of [CHIUSI_CODE, 'chv3 wx9n 8hje']) {
			const refused = await failure(maria.trpc.guardian.activate.mutate({ code }));
			expect(refused.data?.code).toBe('BAD_REQUEST');
			expect(refused.data?.reason).toBe('INVALID_CODE');
		}
		// Mario the other way: Anna's code is Mazzè's, so in Chiusi it simply does not exist.
		const fromChiusi = await failure(mario.trpc.guardian.activate.mutate({ code: ANNA_CODE }));
		expect(fromChiusi.data?.reason).toBe('INVALID_CODE');

		expect(await maria.trpc.guardian.consumers.query()).toEqual(mariaChildren);
		expect((await mario.trpc.guardian.consumers.query()).map((c) => c.id)).toEqual([tommasoId]);
	});

	it('shows on the /home page only the guardian’s own children', async () => {
		const mariaHome = await maria.fetch(`${server.url}/home`);
		expect(mariaHome.status).toBe(200);
		const html = await mariaHome.text();
		expect(html).toContain('Luca');
		expect(html).toContain('Sofia');
		expect(html).not.toContain('Tommaso');
		const marioHtml = await (await mario.fetch(`${server.url}/home`)).text();
		expect(marioHtml).toContain('Tommaso');
		expect(marioHtml).not.toMatch(/Luca|Sofia/);
	});

	it('keeps each Comune’s accounts to its own login', async () => {
		const cases = [
			{ tenantSlug: 'mazze', email: 'ufficio@chiusi.example.it' },
			{ tenantSlug: 'chiusi-della-verna', email: 'maria.rossi@example.com' },
			{ tenantSlug: 'mazze', email: 'admin@mensa-aperta.example' },
			{ email: 'maria.rossi@example.com' }
		];
		for (const input of cases) {
			const refused = await failure(testClient(server.url).trpc.auth.login.mutate({ ...input, password: DEMO_PASSWORD }));
			expect(refused.data?.code, JSON.stringify(input)).toBe('UNAUTHORIZED');
		}
	});
});

describe('role checks on guardian procedures', () => {
	it('gives FORBIDDEN to staff of the same Comune and to the platform admin', async () => {
		for (const staff of [operator, kitchen, schoolStaff, admin]) {
			for (const call of [
				() => staff.trpc.guardian.consumers.query(),
				() => staff.trpc.guardian.consumer.query({ consumerId: mariaChildren[0].id }),
				() => staff.trpc.guardian.activate.mutate({ code: ANNA_CODE })
			]) {
				const refused = await failure(call());
				expect(refused.data?.code).toBe('FORBIDDEN');
				expect(refused.data?.httpStatus).toBe(403);
			}
		}
	});

	it('gives UNAUTHORIZED to an anonymous caller', async () => {
		const anon = testClient(server.url);
		for (const call of [
			() => anon.trpc.guardian.consumers.query(),
			() => anon.trpc.guardian.consumer.query({ consumerId: mariaChildren[0].id }),
			() => anon.trpc.guardian.activate.mutate({ code: ANNA_CODE }),
			() => anon.trpc.profile.get.query()
		]) {
			const refused = await failure(call());
			expect(refused.data?.code).toBe('UNAUTHORIZED');
			expect(refused.data?.httpStatus).toBe(401);
		}
		expect(await anon.trpc.auth.me.query()).toBeNull();
	});
});

describe('linking a child with the activation code', () => {
	it('links Anna to Giovanni Ferrari, the applicant, once', async () => {
		const giovanni = await newGuardian('Giovanni', 'Ferrari', 'FRRGNN82H15L219L', 'giovanni.ferrari@example.com');
		expect(await giovanni.trpc.guardian.consumers.query()).toEqual([]);

		const linked = await giovanni.trpc.guardian.activate.mutate({ code: ANNA_CODE });
		expect(linked).toMatchObject({ status: 'linked', givenName: 'Anna', alreadyLinked: false });
		const children = await giovanni.trpc.guardian.consumers.query();
		expect(children.map((c) => c.givenName)).toEqual(['Anna']);
		expect(children[0].id).toBe(linked.consumerId);
		await expect(giovanni.trpc.guardian.consumer.query({ consumerId: linked.consumerId })).resolves.toMatchObject({ familyName: 'Ferrari' });

		// Typed the way people type it off paper: lower case, spaces.
		await expect(giovanni.trpc.guardian.activate.mutate({ code: ' mzz7 k4pq 2rta ' })).resolves.toMatchObject({
			status: 'linked',
			consumerId: linked.consumerId,
			alreadyLinked: true
		});
		expect(await giovanni.trpc.guardian.consumers.query()).toHaveLength(1);

		// Another guardian of the same Comune cannot use it: the code belongs to the application.
		const notApplicant = await failure(maria.trpc.guardian.activate.mutate({ code: ANNA_CODE }));
		expect(notApplicant.data?.code).toBe('FORBIDDEN');
		expect(notApplicant.data?.reason).toBe('NOT_APPLICANT');
		expect((await maria.trpc.guardian.consumers.query()).map((c) => c.givenName)).toEqual(['Luca', 'Sofia']);
		const annaForMaria = await failure(maria.trpc.guardian.consumer.query({ consumerId: linked.consumerId }));
		expect(annaForMaria.data?.code).toBe('NOT_FOUND');
	});

	it('answers HTTP 429 to the attempt after 5 wrong codes', async () => {
		const laura = await newGuardian('Laura', 'Verdi', 'VRDLRA85T50G702V', 'laura.verdi@example.com');
		for (let i = 0; i < 5; i++) {
			const wrong = await failure(laura.trpc.guardian.activate.mutate({ code: `ABCD-EFGH-JK${i + 2}${i + 2}` }));
			expect(wrong.data?.reason, `attempt ${i + 1}`).toBe('INVALID_CODE');
		}
		const response = await laura.fetch(`${server.url}/api/trpc/guardian.activate`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ code: ANNA_CODE })
		});
		expect(response.status).toBe(429);
		expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
		const body = await response.json();
		expect(body.error.message).toMatch(/Troppi tentativi/);
		expect(await laura.trpc.guardian.consumers.query()).toEqual([]);
	});
});

describe('homes and page guards', () => {
	it('sends each role to its own home after login', () => {
		expect(homes).toEqual({
			'maria.rossi@example.com': '/home',
			'ufficio@mazze.example.it': '/ufficio',
			'infanzia@mazze.example.it': '/scuola',
			'cucina@mazze.example.it': '/cucina',
			'admin@mensa-aperta.example': '/admin'
		});
	});

	it('serves each home to its role only', async () => {
		const pages: [AppClient, string, number][] = [
			[maria, '/home', 200],
			[maria, '/ufficio', 403],
			[maria, '/cucina', 403],
			[maria, '/admin', 403],
			[operator, '/ufficio', 200],
			[operator, '/home', 403],
			[operator, '/admin', 403],
			[schoolStaff, '/scuola', 200],
			[schoolStaff, '/ufficio', 403],
			[kitchen, '/cucina', 200],
			[kitchen, '/home', 403],
			[admin, '/admin', 200],
			[admin, '/home', 403]
		];
		for (const [client, path, status] of pages) {
			const response = await client.fetch(`${server.url}${path}`);
			const me = await client.trpc.auth.me.query();
			expect(response.status, `${me?.email} GET ${path}`).toBe(status);
			const html = await response.text();
			if (status === 403) expect(html).toContain('Non hai i permessi');
		}
	});

	it('redirects an anonymous visitor away from the private pages', async () => {
		const anon = testClient(server.url);
		for (const path of ['/home', '/ufficio', '/scuola', '/cucina', '/admin', '/profilo']) {
			const response = await anon.fetch(`${server.url}${path}`);
			expect(response.status, path).toBe(303);
			const target = locationOf(response, server.url);
			expect(target.origin).toBe(server.url);
			expect(target.pathname, path).not.toBe(path);
		}
	});
});
