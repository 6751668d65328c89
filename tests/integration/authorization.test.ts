import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { appRouter } from '../../server/trpc/app.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signedIn, testClient, type TestClient } from '../helpers/client.js';

/*
 * The authorisation matrix: who may call what, written out here as the specification, then
 * checked against the router's own declarations and against the running server. Each procedure
 * is called by each role with a probe input no schema accepts: a role let through reaches the
 * input check (400), a role kept out is refused before it (401 signed out, 403 signed in), so
 * nothing ever runs and nothing is written. Which Comune's data a permitted role may see is the
 * business of each feature's own cross-tenant tests.
 */

type Role = 'guardian' | 'operator' | 'school_staff' | 'kitchen' | 'admin';
type Caller = 'anonymous' | Role;
const EVERYONE: readonly Caller[] = ['anonymous', 'guardian', 'operator', 'school_staff', 'kitchen', 'admin'];
const SIGNED_IN: readonly Role[] = ['guardian', 'operator', 'school_staff', 'kitchen', 'admin'];
const OFFICE: readonly Role[] = ['operator', 'school_staff'];

const spec: Record<string, readonly Caller[]> = {};
const allow = (callers: readonly Caller[], paths: string[]) => paths.forEach((p) => (spec[p] = callers));

// Signing in, the Comune picker, invitations: anyone.
allow(EVERYONE, ['tenants.search', 'tenants.bySlug', 'auth.register', 'auth.resendVerification', 'auth.verifyEmail', 'auth.login', 'auth.requestReset', 'auth.resetPassword', 'auth.me', 'invitations.show', 'invitations.accept']);
// One's own account and profile: anyone signed in.
allow(SIGNED_IN, ['auth.logout', 'auth.secondFactor', 'auth.proveSecondFactor', 'auth.changePassword', 'profile.get', 'profile.update', 'profile.updatePrefs']);
// The parent app.
allow(['guardian'], ['guardian.consumers', 'guardian.consumer', 'guardian.offlineCopy', 'guardian.activate', 'account.balances', 'account.statement', 'meals.days', 'meals.mark', 'meals.history', 'payments.ricarica', 'payments.createCart', 'payments.emailAvviso', 'payments.list']);
// The kitchen reads its report, with the ufficio and the schools.
allow(['kitchen', 'operator', 'school_staff'], ['office.kitchenReport']);
// Corrections and consumers: the ufficio, and school staff for their delegated schools.
allow(OFFICE, ['office.correctDay', 'office.searchConsumers', 'officeConsumers.list', 'officeConsumers.options', 'officeConsumers.detail', 'officeConsumers.create', 'officeConsumers.update', 'officeConsumers.moveClass', 'officeConsumers.endEnrolment', 'officeConsumers.regenerateCode', 'officeConsumers.issueLetters']);
// The ufficio scuola alone.
allow(['operator'], [
	'office.setDietLabel', 'office.calendar', 'office.setCalendar', 'office.addClosure', 'office.removeClosure',
	'officePayments.payments', 'officePayments.receiptsToCheck', 'officePayments.consumerAccounts', 'officePayments.counterTopup', 'officePayments.refund', 'officePayments.transfer', 'officePayments.reconciliation', 'officePayments.pause', 'officePayments.setPause', 'officePayments.clearPause',
	'officeImport.progress',
	'officeDebtors.list', 'officeDebtors.template', 'officeDebtors.setTemplate', 'officeDebtors.preview', 'officeDebtors.send',
	'officeOverview.dashboard', 'officeOverview.audit',
	'officeTariffs.overview', 'officeTariffs.createGroup', 'officeTariffs.renameGroup', 'officeTariffs.createService', 'officeTariffs.renameService', 'officeTariffs.createBand', 'officeTariffs.updateBand', 'officeTariffs.deleteBand', 'officeTariffs.addPriceChange', 'officeTariffs.deletePriceChange', 'officeTariffs.setSiblingDiscount',
	'officeSchools.overview', 'officeSchools.createSchoolYear', 'officeSchools.updateSchoolYear', 'officeSchools.createSchool', 'officeSchools.updateSchool', 'officeSchools.setArchived', 'officeSchools.createClass', 'officeSchools.renameClass', 'officeSchools.inviteSchoolStaff'
]);
allow(['operator'], ['officePrivacy.anonymiseFamily']);
// The platform.
// One's own staff account: the recovery codes.
allow(['operator', 'school_staff', 'kitchen', 'admin'], ['auth.staffAccount', 'auth.renewRecoveryCodes']);
allow(['admin'], ['admin.tenants', 'admin.tenant', 'admin.createTenant', 'admin.updateTenant', 'admin.setLogo', 'admin.inviteOperator', 'admin.secureStaff']);

interface ProcedureDef {
	type: 'query' | 'mutation';
	meta?: { roles?: readonly Role[] };
}
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>).map(([path, p]) => ({
	path,
	type: p._def.type,
	roles: p._def.meta?.roles ?? []
}));

const accounts: Record<Role, { email: string; tenantSlug?: string }> = {
	guardian: { email: 'maria.rossi@example.com', tenantSlug: 'mazze' },
	operator: { email: 'ufficio@mazze.example.it', tenantSlug: 'mazze' },
	school_staff: { email: 'infanzia@mazze.example.it', tenantSlug: 'mazze' },
	kitchen: { email: 'cucina@mazze.example.it', tenantSlug: 'mazze' },
	admin: { email: 'admin@mensa-aperta.example' }
};

let server: TestServer;
const clients = {} as Record<Caller, ReturnType<typeof testClient>>;
let rowsBefore: Record<string, number>;

function rowCounts() {
	const db = new Database(server.dbPath, { readonly: true });
	try {
		const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('rate_limits', 'sessions')`).pluck().all() as string[];
		return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]));
	} finally {
		db.close();
	}
}

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	clients.anonymous = testClient(server.url);
	for (const [role, account] of Object.entries(accounts) as [Role, (typeof accounts)[Role]][]) {
		clients[role] = await signedIn(server.url, account.email, { tenantSlug: account.tenantSlug });
	}
	rowsBefore = rowCounts();
});
afterAll(() => server?.stop());

/** A probe no procedure's schema accepts: an object with an unknown key. */
const PROBE = JSON.stringify({ __sonda: 1 });

async function probe(client: TestClient, path: string, type: 'query' | 'mutation') {
	const url = `${server.url}/api/trpc/${path}`;
	const response =
		type === 'query'
			? await client.fetch(`${url}?input=${encodeURIComponent(PROBE)}`)
			: await client.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: PROBE });
	return { status: response.status, body: await response.text() };
}
const call = (caller: Caller, path: string, type: 'query' | 'mutation') => probe(clients[caller], path, type);

/** Mazzè's ids the pages are addressed with (Sofia is in the infanzia delegated to its school staff). */
function mazzeIds() {
	const db = new Database(server.dbPath, { readonly: true });
	try {
		return {
			sofia: db.prepare(`SELECT id FROM consumers WHERE given_name = 'Sofia'`).pluck().get() as number,
			mazze: db.prepare(`SELECT id FROM tenants WHERE slug = 'mazze'`).pluck().get() as number
		};
	} finally {
		db.close();
	}
}

/**
 * The back-office pages and downloads, by GET: a role let in gets the page (200), a stranger is
 * sent to sign in (303), a signed-in role kept out gets 403. Ids are Mazzè's (Sofia is in the
 * infanzia delegated to its school staff).
 */
const pages = (ids: { sofia: number; mazze: number }): [string, readonly Role[]][] => {
	const operator: readonly Role[] = ['operator'];
	return [
		['/admin', ['admin']],
		['/admin/comuni/nuovo', ['admin']],
		[`/admin/comuni/${ids.mazze}`, ['admin']],
		['/account', ['operator', 'school_staff', 'kitchen', 'admin']],
		['/cucina', ['kitchen', 'operator', 'school_staff']],
		['/cucina/report.csv?data=2026-11-23', ['kitchen', 'operator', 'school_staff']],
		['/scuola', ['school_staff']],
		['/scuola/correzioni', ['school_staff']],
		['/ufficio/consumatori', OFFICE],
		[`/ufficio/consumatori/${ids.sofia}`, OFFICE],
		[`/ufficio/consumatori/${ids.sofia}/modifica`, OFFICE],
		['/ufficio/consumatori/nuovo', OFFICE],
		['/ufficio/consumatori/lettere', OFFICE],
		['/profilo/dati.json', ['guardian']],
		['/profilo/dati.pdf', ['guardian']],
		...(
			[
				'/ufficio', '/ufficio/scuole', '/ufficio/calendario', '/ufficio/tariffe', '/ufficio/correzioni', '/ufficio/pagamenti', '/ufficio/pagamenti/rettifiche',
				'/ufficio/pagamenti/ricevute', '/ufficio/pagamenti/riconciliazione', '/ufficio/pagamenti/riconciliazione.csv?data=2026-11-23', '/ufficio/pagamenti/sportello',
				'/ufficio/saldi', '/ufficio/importa', '/ufficio/esporta', '/ufficio/esporta/alunni.csv', '/ufficio/impostazioni-pagamenti', '/ufficio/morosi', '/ufficio/morosi.csv',
				'/ufficio/cruscotto', '/ufficio/registro'
			] as const
		).map((path): [string, readonly Role[]] => [path, operator])
	];
};

describe('the authorisation matrix', () => {
	it('names every procedure of the router, and no other', () => {
		expect(procedures.map((p) => p.path).filter((p) => !(p in spec)), 'procedures missing from the matrix').toEqual([]);
		expect(Object.keys(spec).filter((p) => !procedures.some((q) => q.path === p)), 'matrix rows with no procedure').toEqual([]);
	});

	it('agrees with the roles each procedure declares', () => {
		const declared = Object.fromEntries(procedures.map((p) => [p.path, p.roles.length === 0 ? [...EVERYONE] : [...p.roles]]));
		const written = Object.fromEntries(procedures.map((p) => [p.path, [...(spec[p.path] ?? [])]]));
		for (const p of procedures) expect(new Set(declared[p.path]), p.path).toEqual(new Set(written[p.path]));
	});

	for (const p of procedures) {
		it(`${p.path}: ${(spec[p.path] ?? []).join(', ') || 'nobody'}`, async () => {
			const allowed = spec[p.path] ?? [];
			const outcomes: string[] = [];
			for (const caller of EVERYONE) {
				const { status, body } = await call(caller, p.path, p.type);
				const expected = allowed.includes(caller) ? 400 : caller === 'anonymous' ? 401 : 403;
				outcomes.push(`${caller} ${status}`);
				expect(status, `${p.path} as ${caller}: ${body.slice(0, 300)}`).toBe(expected);
				if (expected !== 400) {
					// A refusal says who may not, and nothing else.
					const error = JSON.parse(body) as { error?: { data?: Record<string, unknown> }; result?: unknown };
					expect(error.result, `${p.path} as ${caller}`).toBeUndefined();
					expect(body).not.toMatch(/Rossi|Ferrari|Luca|Sofia|RSS[A-Z]{3}\d/);
				}
			}
			expect(outcomes).toHaveLength(EVERYONE.length);
		});
	}

	it('wrote nothing anywhere', () => {
		expect(rowCounts()).toEqual(rowsBefore);
	});
});

// After the matrix: a download is audited, and the matrix proves that its probes wrote nothing.
describe('the back-office pages', () => {
	it('let in the roles each page is for, send strangers to sign in, refuse everyone else', async () => {
		const ids = mazzeIds();
		const wrong: string[] = [];
		for (const [path, allowed] of pages(ids)) {
			for (const caller of EVERYONE) {
				const response = await clients[caller].fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
				const body = await response.text();
				const expected = caller !== 'anonymous' && allowed.includes(caller) ? 200 : caller === 'anonymous' ? 303 : 403;
				if (response.status !== expected) wrong.push(`${path} as ${caller}: ${response.status}, expected ${expected}`);
				if (expected !== 200 && /Rossi|Ferrari|RSS[A-Z]{3}\d/.test(body)) wrong.push(`${path} as ${caller}: personal data in the refusal`);
			}
		}
		expect(wrong).toEqual([]);
	});
});

// Staff who gave the password but not yet the authenticator's code reach nothing but that step.
describe('a staff session waiting for its second factor', () => {
	const STEP = ['auth.logout', 'auth.secondFactor', 'auth.proveSecondFactor'];
	const STAFF = ['operator', 'school_staff', 'kitchen', 'admin'] as const;

	it('is refused every procedure but the step and the public ones, and every back-office page sends it to the code', async () => {
		const ids = mazzeIds();
		const wrong: string[] = [];
		for (const role of STAFF) {
			const halfway = testClient(server.url);
			const { home } = await halfway.trpc.auth.login.mutate({ ...accounts[role], password: 'MensaAperta-2026' });
			if (home !== '/accesso/codice') wrong.push(`${role} signed in to ${home}`);
			for (const p of procedures) {
				const { status, body } = await probe(halfway, p.path, p.type);
				const open = STEP.includes(p.path) || (spec[p.path] ?? []).includes('anonymous');
				if (status !== (open ? 400 : 403)) wrong.push(`${p.path} as ${role} halfway: ${status} ${body.slice(0, 120)}`);
				if (!open && !body.includes('Conferma prima l’accesso con il codice della tua app di autenticazione.')) wrong.push(`${p.path} as ${role} halfway: ${body.slice(0, 120)}`);
			}
			for (const [path] of pages(ids)) {
				const response = await halfway.fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
				if (response.status !== 303 || response.headers.get('location') !== '/accesso/codice') wrong.push(`${path} as ${role} halfway: ${response.status} → ${response.headers.get('location')}`);
			}
		}
		expect(wrong).toEqual([]);
	});
});
