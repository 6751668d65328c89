import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedIn, testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';

/*
 * Setting up a Comune over HTTP: the platform admin creates it and invites its operator, who
 * chooses a password from the e-mail and then shapes the Comune's school years, schools and
 * classes. Each procedure refused to the wrong role, the other Comune, and bad input.
 */

const NEW_PASSWORD = 'Refezione-Caluso-2026';

let server: TestServer;
let db: Database.Database;
type Client = ReturnType<typeof testClient>;
let admin: Client;

const setClock = async (iso: string) => {
	const r = await fetch(`${server.url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ now: iso }) });
	expect(r.status).toBe(200);
};

function rowCounts(): Record<string, number> {
	const tables = db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not in ('rate_limits', 'sessions')`).pluck().all() as string[];
	return Object.fromEntries(tables.map((t) => [t, db.prepare(`select count(*) from "${t}"`).pluck().get() as number]));
}
async function expectNothingWritten(call: () => Promise<unknown>) {
	const before = rowCounts();
	await call();
	expect(rowCounts()).toEqual(before);
}

const caluso = {
	slug: 'caluso',
	name: 'Calùso',
	province: 'TO',
	codiceFiscaleEnte: '83001730015',
	contactOffice: 'Ufficio istruzione',
	contactName: 'Anna Bruno',
	contactPhone: '011 9891911',
	contactEmail: 'istruzione@caluso.example.it',
	cutoffTime: '09:00',
	spidEnabled: true,
	cieEnabled: true,
	oidcIssuer: 'https://id.caluso.example.it',
	oidcClientId: 'mensa-caluso',
	oidcClientSecret: 'segreto-del-client-oidc-0001',
	segregationCode: '02',
	pagopaMode: 'simulator' as const,
	checkoutBaseUrl: '',
	gpdBaseUrl: '',
	checkoutSubscriptionKey: '',
	gpdSubscriptionKey: '',
	iban: '',
	transferCategory: '',
	receiptSecret: 'segreto-ricevute-0123456789abcdef-9999',
	lisMode: 'simulator' as const,
	lisSecret: '',
	letterInstructions: 'Attivate il codice entro il 30 settembre.'
};

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	db = new Database(server.dbPath, { readonly: true, fileMustExist: true });
	admin = await signedIn(server.url, 'admin@mensa-aperta.example');
});
afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('a new Comune from the platform admin to its operator', () => {
	let tenantId: number;
	let operator: Client;

	it('the admin creates the Comune; its secrets never come back in full', async () => {
		const created = await admin.trpc.admin.createTenant.mutate(caluso);
		expect(created.slug).toBe('caluso');
		tenantId = created.id;
		const shown = await admin.trpc.admin.tenant.query({ tenantId });
		expect(shown.values).toMatchObject({ name: 'Calùso', contactOffice: 'Ufficio istruzione', oidcClientSecret: '', receiptSecret: '' });
		expect(shown.secrets).toMatchObject({ oidcClientSecret: '••••0001', receiptSecret: '••••9999', lisSecret: null });
		expect(JSON.stringify(shown)).not.toMatch(/segreto-del-client|segreto-ricevute/);
		// Nor are they in the database in clear: a copy of the file or of a backup does not hand them out.
		const row = db.prepare('SELECT oidc_client_secret AS oidc, payment_settings AS settings FROM tenants WHERE id = ?').get(tenantId) as { oidc: string; settings: string };
		expect(row.oidc).toMatch(/^sealed:/);
		expect(JSON.parse(row.settings).receiptSecret).toMatch(/^sealed:/);
		expect(JSON.stringify(row)).not.toMatch(/segreto-del-client|segreto-ricevute/);
		// The picker finds it with or without the accent, and parents see the contacts.
		expect(await admin.trpc.tenants.search.query({ q: 'CALUSO' })).toEqual([{ slug: 'caluso', name: 'Calùso', province: 'TO' }]);
		const list = await admin.trpc.admin.tenants.query({ page: 1, sort: 'name', dir: 'asc', q: '' });
		expect(list.rows.map((r) => r.slug)).toEqual(['caluso', 'chiusi-della-verna', 'mazze']);
	});

	it('invites an operator, who sets a password from the e-mail and signs in to that Comune only', async () => {
		const invited = await admin.trpc.admin.inviteOperator.mutate({ tenantId, givenName: 'Paola', familyName: 'Neri', email: 'Paola.Neri@caluso.example.it' });
		expect(invited).toEqual({ email: 'paola.neri@caluso.example.it', mailed: true });
		const mail = await server.smtp.waitFor('paola.neri@caluso.example.it', (m) => m.subject.includes('Invito'));
		expect(mail.subject).toBe('Invito a Mensa Aperta — Comune di Calùso');
		const link = linkIn(mail, '/invito?token=');
		const token = link.searchParams.get('token')!;

		const anonymous = testClient(server.url);
		expect(await anonymous.trpc.invitations.show.query({ token })).toEqual({ givenName: 'Paola', email: 'paola.neri@caluso.example.it', tenantName: 'Calùso' });
		// Not yet: no password, no way in.
		expect((await failure(anonymous.trpc.auth.login.mutate({ tenantSlug: 'caluso', email: 'paola.neri@caluso.example.it', password: NEW_PASSWORD }))).data?.code).toBe('UNAUTHORIZED');
		const weak = await failure(anonymous.trpc.invitations.accept.mutate({ token, password: 'paolaneri' }));
		expect(weak.data?.fieldErrors?.password).toMatch(/almeno 10 caratteri/);
		expect(await anonymous.trpc.invitations.accept.mutate({ token, password: NEW_PASSWORD })).toEqual({ loginPath: '/login/caluso' });
		const again = await failure(anonymous.trpc.invitations.accept.mutate({ token, password: NEW_PASSWORD }));
		expect(again.message).toBe('Questo invito è già stato usato: accedi con la password che hai scelto, o chiedi di reimpostarla.');

		operator = await signedIn(server.url, 'paola.neri@caluso.example.it', { tenantSlug: 'caluso', password: NEW_PASSWORD });
		const me = await operator.trpc.auth.me.query();
		expect(me).toMatchObject({ tenant: { slug: 'caluso', name: 'Calùso' }, roles: ['operator'], home: '/ufficio' });
		expect(await operator.trpc.officeSchools.overview.query()).toEqual({ schoolYears: [], schools: [], classes: [], staff: [] });
		const staff = await admin.trpc.admin.tenant.query({ tenantId });
		expect(staff.staff).toEqual([expect.objectContaining({ email: 'paola.neri@caluso.example.it', role: 'operator', active: true })]);
	});

	it('the operator creates a school year, a school and a class, and delegates a school', async () => {
		const year = await operator.trpc.officeSchools.createSchoolYear.mutate({ label: '2026/27', firstDay: '2026-09-14', lastDay: '2027-06-10' });
		const school = await operator.trpc.officeSchools.createSchool.mutate({ name: 'Scuola primaria di Caluso', level: 'primaria', managedBy: 'comune', address: 'Via Roma 1' });
		await operator.trpc.officeSchools.createClass.mutate({ schoolId: school.id, schoolYearId: year.id, name: '1ª A' });
		const overview = await operator.trpc.officeSchools.overview.query();
		expect(overview.classes.map((c) => [c.name, c.schoolId, c.schoolYearId])).toEqual([['1ª A', school.id, year.id]]);

		await operator.trpc.officeSchools.inviteSchoolStaff.mutate({ schoolId: school.id, givenName: 'Carla', familyName: 'Gallo', email: 'segreteria@primaria-caluso.example.it' });
		const mail = await server.smtp.waitFor('segreteria@primaria-caluso.example.it');
		expect(mail.text).toContain('personale della scuola (Scuola primaria di Caluso)');
		await testClient(server.url).trpc.invitations.accept.mutate({ token: linkIn(mail, '/invito?token=').searchParams.get('token')!, password: NEW_PASSWORD });
		const segreteria = await signedIn(server.url, 'segreteria@primaria-caluso.example.it', { tenantSlug: 'caluso', password: NEW_PASSWORD });
		expect(await segreteria.trpc.auth.me.query()).toMatchObject({ roles: ['school_staff'], home: '/scuola' });
		expect((await operator.trpc.officeSchools.overview.query()).schools[0].managedBy).toBe('scuola');
		const actions = db.prepare(`select action from audit_log where tenant_id = ? order by id`).pluck().all(tenantId);
		expect(actions).toEqual(expect.arrayContaining(['tenant.create', 'user.invite', 'user.invite_accept', 'school_year.create', 'school.create', 'school_class.create', 'school.delegate']));
	});

	it('refuses an expired invitation, clearly', async () => {
		await admin.trpc.admin.inviteOperator.mutate({ tenantId, givenName: 'Luigi', familyName: 'Sala', email: 'luigi.sala@caluso.example.it' });
		const token = linkIn(await server.smtp.waitFor('luigi.sala@caluso.example.it'), '/invito?token=').searchParams.get('token')!;
		await setClock('2026-12-01T11:00:00Z');
		try {
			const anonymous = testClient(server.url);
			expect((await failure(anonymous.trpc.invitations.show.query({ token }))).message).toBe('Questo invito è scaduto: chiedi a chi ti ha invitato di mandartene uno nuovo.');
			await expectNothingWritten(() => failure(anonymous.trpc.invitations.accept.mutate({ token, password: NEW_PASSWORD })));
			const page = await fetch(`${server.url}/invito?token=${token}`);
			expect(await page.text()).toContain('Questo invito è scaduto');
		} finally {
			await setClock('2026-11-23T11:00:00Z');
		}
	});
});

describe('who may do what', () => {
	const schoolInput = { name: 'Scuola X', level: 'primaria' as const, managedBy: 'comune' as const, address: '' };

	it('an operator of Mazzè cannot touch Chiusi’s schools: NOT_FOUND, nothing leaked, nothing written', async () => {
		const mazze = await signedIn(server.url, 'ufficio@mazze.example.it');
		const chiusiSchool = db.prepare(`select s.id, s.name from schools s join tenants t on t.id = s.tenant_id where t.slug = 'chiusi-della-verna' and s.level = 'primaria'`).get() as { id: number; name: string };
		const chiusiYear = db.prepare(`select y.id from school_years y join tenants t on t.id = y.tenant_id where t.slug = 'chiusi-della-verna'`).pluck().get() as number;
		const chiusiClass = db.prepare(`select c.id from school_classes c join tenants t on t.id = c.tenant_id where t.slug = 'chiusi-della-verna'`).pluck().get() as number;
		const attempts = [
			() => mazze.trpc.officeSchools.updateSchool.mutate({ schoolId: chiusiSchool.id, ...schoolInput }),
			() => mazze.trpc.officeSchools.setArchived.mutate({ kind: 'school', id: chiusiSchool.id, archived: true }),
			() => mazze.trpc.officeSchools.setArchived.mutate({ kind: 'schoolClass', id: chiusiClass, archived: true }),
			() => mazze.trpc.officeSchools.setArchived.mutate({ kind: 'schoolYear', id: chiusiYear, archived: true }),
			() => mazze.trpc.officeSchools.createClass.mutate({ schoolId: chiusiSchool.id, schoolYearId: chiusiYear, name: '9ª Z' }),
			() => mazze.trpc.officeSchools.renameClass.mutate({ schoolClassId: chiusiClass, name: '9ª Z' }),
			() => mazze.trpc.officeSchools.updateSchoolYear.mutate({ schoolYearId: chiusiYear, label: '2040/41', firstDay: '2040-09-01', lastDay: '2041-06-01' }),
			() => mazze.trpc.officeSchools.inviteSchoolStaff.mutate({ schoolId: chiusiSchool.id, givenName: 'A', familyName: 'B', email: 'intruso@example.com' })
		];
		for (const attempt of attempts) {
			await expectNothingWritten(async () => {
				const refused = await failure(attempt());
				expect(refused.data?.code).toBe('NOT_FOUND');
				expect(refused.message).not.toContain(chiusiSchool.name);
				expect(refused.message).not.toMatch(/Chiusi/);
			});
		}
		expect(server.smtp.received.filter((m) => m.to === 'intruso@example.com')).toEqual([]);
		const seen = await mazze.trpc.officeSchools.overview.query();
		expect(seen.schools.map((s) => s.name).join()).not.toMatch(/Chiusi|Corsalone|Dante/);
	});

	it('refuses the operator’s procedures to school staff, kitchen, guardian, admin and anonymous; the admin’s to operators', async () => {
		const callers = {
			school_staff: await signedIn(server.url, 'infanzia@mazze.example.it'),
			kitchen: await signedIn(server.url, 'cucina@mazze.example.it'),
			guardian: await signedIn(server.url, 'maria.rossi@example.com'),
			admin,
			anonymous: testClient(server.url)
		};
		for (const [who, c] of Object.entries(callers)) {
			const expected = who === 'anonymous' ? 'UNAUTHORIZED' : 'FORBIDDEN';
			for (const call of [
				() => c.trpc.officeSchools.overview.query(),
				() => c.trpc.officeSchools.createSchoolYear.mutate({ label: '2030/31', firstDay: '2030-09-10', lastDay: '2031-06-10' }),
				() => c.trpc.officeSchools.createSchool.mutate(schoolInput),
				() => c.trpc.officeSchools.setArchived.mutate({ kind: 'school', id: 1, archived: true }),
				() => c.trpc.officeSchools.inviteSchoolStaff.mutate({ schoolId: 1, givenName: 'A', familyName: 'B', email: 'x@example.com' })
			]) {
				await expectNothingWritten(async () => expect((await failure(call())).data?.code, who).toBe(expected));
			}
		}
		const operator = await signedIn(server.url, 'ufficio@mazze.example.it');
		for (const c of [operator, callers.school_staff, callers.guardian, callers.anonymous]) {
			for (const call of [
				() => c.trpc.admin.tenants.query({ page: 1, sort: 'name', dir: 'asc', q: '' }),
				() => c.trpc.admin.tenant.query({ tenantId: 1 }),
				() => c.trpc.admin.createTenant.mutate({ ...caluso, slug: 'altro', codiceFiscaleEnte: '84001550015' }),
				() => c.trpc.admin.setLogo.mutate({ tenantId: 1, logo: '' }),
				() => c.trpc.admin.inviteOperator.mutate({ tenantId: 1, givenName: 'A', familyName: 'B', email: 'x@example.com' })
			]) {
				await expectNothingWritten(async () => expect(['FORBIDDEN', 'UNAUTHORIZED']).toContain((await failure(call())).data?.code));
			}
		}
	});
});

describe('the pages, by role', () => {
	it('admin pages for the admin only, the Scuole page for operators only, the invitation page for anyone with a link', async () => {
		const mazzeId = db.prepare(`select id from tenants where slug = 'mazze'`).pluck().get() as number;
		const callers = {
			admin,
			operator: await signedIn(server.url, 'ufficio@mazze.example.it'),
			school_staff: await signedIn(server.url, 'infanzia@mazze.example.it'),
			kitchen: await signedIn(server.url, 'cucina@mazze.example.it'),
			guardian: await signedIn(server.url, 'maria.rossi@example.com'),
			anonymous: testClient(server.url)
		};
		const pages: [string, keyof typeof callers][] = [
			['/admin', 'admin'],
			['/admin/comuni/nuovo', 'admin'],
			[`/admin/comuni/${mazzeId}`, 'admin'],
			['/ufficio/scuole', 'operator']
		];
		for (const [path, allowed] of pages) {
			for (const [who, c] of Object.entries(callers)) {
				const response = await c.fetch(`${server.url}${path}`);
				const expected = who === allowed ? 200 : who === 'anonymous' ? 303 : 403;
				expect(response.status, `${path} for ${who}`).toBe(expected);
				await response.text();
			}
		}
		expect(await (await admin.fetch(`${server.url}/admin/comuni/99999`)).text()).toContain('Comune non trovato');
		const broken = await callers.anonymous.fetch(`${server.url}/invito?token=not-a-token`);
		expect(broken.status).toBe(200);
		expect(await broken.text()).toContain('Link di invito non valido');
		const unknown = await callers.anonymous.fetch(`${server.url}/invito?token=${'a'.repeat(32)}`);
		expect(await unknown.text()).toContain('Link di invito non valido');
	});
});

describe('bad input: Italian field errors, nothing written', () => {
	const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
	const asDataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`;

	it('slug or codice fiscale taken, bad values', async () => {
		const cases: [Record<string, unknown>, Record<string, RegExp>][] = [
			[{ slug: 'mazze', codiceFiscaleEnte: '80002280511' }, { slug: /già usato/, codiceFiscaleEnte: /già registrato/ }],
			[{ slug: 'Mazzè Nuova', codiceFiscaleEnte: '12345678901', province: 'Torino', cutoffTime: '9.30' }, { slug: /lettere minuscole/, codiceFiscaleEnte: /cifra di controllo/, province: /due lettere/, cutoffTime: /HH:MM/ }],
			[{ slug: 'caluso-2', codiceFiscaleEnte: '82000390011', pagopaMode: 'live', lisMode: 'live' }, { checkoutBaseUrl: /obbligatorio/, checkoutSubscriptionKey: /obbligatorio/, iban: /obbligatorio/, lisSecret: /obbligatorio/ }]
		];
		for (const [change, errors] of cases) {
			await expectNothingWritten(async () => {
				const refused = await failure(admin.trpc.admin.createTenant.mutate({ ...caluso, ...change } as typeof caluso));
				expect(refused.data?.code).toBe('BAD_REQUEST');
				for (const [field, pattern] of Object.entries(errors)) expect(refused.data?.fieldErrors?.[field], field).toMatch(pattern);
			});
		}
	});

	it('a logo too big or not an image', async () => {
		const tenantId = db.prepare(`select id from tenants where slug = 'mazze'`).pluck().get() as number;
		for (const [logo, message] of [
			[asDataUrl(Buffer.concat([PNG, Buffer.alloc(110 * 1024)])), 'Logo: al massimo 100 KB'],
			[asDataUrl(Buffer.from('GIF89a not a png at all')), 'Logo: il file non è un’immagine PNG o SVG'],
			[asDataUrl(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml'), /script/]
		] as const) {
			await expectNothingWritten(async () => {
				const refused = await failure(admin.trpc.admin.setLogo.mutate({ tenantId, logo }));
				expect(refused.data?.fieldErrors?.logo).toMatch(message);
			});
		}
		await admin.trpc.admin.setLogo.mutate({ tenantId, logo: asDataUrl(PNG, 'application/octet-stream') });
		expect((await admin.trpc.admin.tenant.query({ tenantId })).logoDataUrl).toBe(asDataUrl(PNG));
	});

	it('an overlapping school year, a class twice', async () => {
		const mazze = await signedIn(server.url, 'ufficio@mazze.example.it');
		await expectNothingWritten(async () => {
			const refused = await failure(mazze.trpc.officeSchools.createSchoolYear.mutate({ label: '2027/28', firstDay: '2027-06-01', lastDay: '2028-06-09' }));
			expect(refused.data?.fieldErrors?.firstDay).toMatch(/^Le date si sovrappongono all’anno scolastico \d{4}\/\d{2}$/);
		});
		await expectNothingWritten(async () => {
			const refused = await failure(mazze.trpc.officeSchools.createSchoolYear.mutate({ label: '2027/29', firstDay: '2027-09-13', lastDay: '2027-06-09' }));
			expect(refused.data?.fieldErrors).toMatchObject({ label: expect.stringMatching(/consecutivi/) });
		});
		const overview = await mazze.trpc.officeSchools.overview.query();
		const existing = overview.classes[0];
		await expectNothingWritten(async () => {
			const refused = await failure(mazze.trpc.officeSchools.createClass.mutate({ schoolId: existing.schoolId, schoolYearId: existing.schoolYearId, name: existing.name.toUpperCase() }));
			expect(refused.data?.fieldErrors?.name).toMatch(/esiste già/);
		});
	});
});

describe('a Comune whose payment settings were damaged by hand', () => {
	it('opens in the admin’s back office with a warning, not an error page, so saving the form can mend it', async () => {
		const rw = new Database(server.dbPath);
		rw.pragma('busy_timeout = 5000');
		const id = rw.prepare(`SELECT id FROM tenants WHERE slug = 'mazze'`).pluck().get() as number;
		const before = rw.prepare('SELECT payment_settings FROM tenants WHERE id = ?').pluck().get(id) as string;
		try {
			rw.prepare('UPDATE tenants SET payment_settings = ? WHERE id = ?').run('{non è json', id);
			const page = await admin.fetch(`${server.url}/admin/comuni/${id}`);
			expect(page.status).toBe(200);
			expect(await page.text()).toContain('Le impostazioni di pagamento salvate non sono valide (non sono JSON valido): i pagamenti di questo Comune sono fermi.');
		} finally {
			rw.prepare('UPDATE tenants SET payment_settings = ? WHERE id = ?').run(before, id);
			rw.close();
		}
	});
});
