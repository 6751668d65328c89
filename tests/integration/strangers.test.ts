import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import type { ZodType } from 'zod';
import { join, relative } from 'node:path';
import { appRouter } from '../../server/trpc/app.js';
import { exportTables } from '../../server/export/tables.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signedIn, testClient, type TestClient } from '../helpers/client.js';
import { NO_INPUT, validInputs } from '../helpers/valid-inputs.js';
import { pdfText } from '../helpers/pdf-text.js';
import { creditDirectly } from '../helpers/ledger.js';
import { chiusiStaff, FAMILY_DATA, familyIds, MARIA, mazzeState, otherGuardian, type Family } from '../helpers/strangers.js';

/*
 * Everyone who is not Maria Rossi, nor staff of her Comune, calls every procedure of the router
 * and GETs every page of the app with real inputs aimed at her family in Mazzè (her children's
 * ids, her payment, her e-mail): a stranger, a guardian of another family in Mazzè, a guardian in
 * Chiusi della Verna, and Chiusi's ufficio, school staff and kitchen. Each may be refused or
 * answered, but no answer carries the family's data, and nothing of Mazzè is written.
 * The procedures come from the router and the pages from src/routes, so new ones are covered.
 */

type Caller = 'anonymous' | 'altra famiglia' | 'genitore di Chiusi' | 'ufficio di Chiusi' | 'scuola di Chiusi' | 'cucina di Chiusi';

let server: TestServer;
let family: Family;
let maria: TestClient;
const callers = {} as Record<Caller, TestClient>;

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	maria = await signedIn(server.url, MARIA);
	// A payment of Maria's for the ids that name one (payments.emailAvviso, /ricarica/avviso/[payment]),
	// and money on the children's accounts: Luca in credit, Sofia in debt (so on the debtors' lists).
	const [luca, sofia] = (await maria.trpc.payments.ricarica.query()).accounts;
	await maria.trpc.payments.createCart.mutate({ lines: [{ consumerId: luca.consumerId, serviceGroupId: luca.serviceGroupId, amountCents: 2_000 }], channel: 'pagopa_avviso', declaration: true });
	for (const [child, amountCents] of [[luca, 3_000], [sofia, -1_200]] as const) {
		creditDirectly(server.dbPath, { consumerId: child.consumerId, serviceGroupId: child.serviceGroupId, amountCents, valueDate: '2026-11-20', description: 'Movimento di prova', externalId: `test:estranei-${child.consumerId}` });
	}
	const staff = await chiusiStaff(server);
	Object.assign(callers, {
		anonymous: testClient(server.url),
		'altra famiglia': await otherGuardian(server, 'mazze', { givenName: 'Giovanni', familyName: 'Ferrari', codiceFiscale: 'FRRGNN82H15L219L', email: 'giovanni.ferrari@example.com', code: 'MZZ7-K4PQ-2RTA' }),
		'genitore di Chiusi': await otherGuardian(server, 'chiusi-della-verna', { givenName: 'Mario', familyName: 'Bianchi', codiceFiscale: 'BNCMRA79D10C663Z', email: 'mario.bianchi@example.com', code: 'CHV3-WX9N-8HJE' }),
		'ufficio di Chiusi': staff.operator,
		'scuola di Chiusi': staff.school_staff,
		'cucina di Chiusi': staff.kitchen
	});
	family = familyIds(server.dbPath);
}, 120_000);
afterAll(() => server?.stop());

/** The text a person would read in the answer: a PDF's text is compressed in its bytes. */
function bodyText(response: Response, bytes: Uint8Array): string {
	return (response.headers.get('content-type') ?? '').includes('pdf') ? pdfText(bytes) : new TextDecoder().decode(bytes);
}

// ---------------------------------------------------------------------------------------------
// The page routes, from the file system.
// ---------------------------------------------------------------------------------------------

const ROUTES_DIR = join(process.cwd(), 'src/routes');
const ROUTE_FILES = new Set(['+page.svelte', '+page.server.ts', '+page.ts', '+server.ts']);
function routeIds(dir = ROUTES_DIR): string[] {
	const entries = readdirSync(dir, { withFileTypes: true });
	const here = entries.some((e) => e.isFile() && ROUTE_FILES.has(e.name)) ? [`/${relative(ROUTES_DIR, dir)}`.replace(/\/$/, '') || '/'] : [];
	return [...here, ...entries.filter((e) => e.isDirectory()).flatMap((e) => routeIds(join(dir, e.name)))];
}

/** A value for every route parameter, by name: a route with a parameter not here fails the test. */
const paramValues = (f: Family): Record<string, string[]> => ({
	id: [String(f.luca)], // a consumer; /admin/comuni/[id] takes Mazzè's id below
	group: [String(f.group)],
	groupId: [String(f.group)],
	payment: [String(f.payment)],
	outcome: ['ok', 'annullato', 'errore'],
	format: ['json', 'pdf'],
	file: exportTables.map((t) => t.file),
	slug: ['mazze'],
	provider: ['spid', 'cie'],
	cf: [f.mazzeFiscalCode],
	iupd: [f.iupd],
	cartId: ['carrello-di-nessuno'], // Checkout's carts are capabilities: the simulator makes none for an avviso
	trpc: ['guardian.consumers']
});
const ROUTE_OVERRIDES = (f: Family): Record<string, Record<string, string[]>> => ({ '/(staff)/admin/comuni/[id=id]': { id: [String(f.mazze)] } });
// Every page ignores what it does not read: one query string aims every period and search at the family.
const QUERY = '?dal=2026-09-01&al=2026-11-30&data=2026-11-23&q=rossi';

function urlsOf(route: string, f: Family): { urls: string[]; missing: string[] } {
	const values = { ...paramValues(f), ...ROUTE_OVERRIDES(f)[route] };
	let urls = [''];
	const missing: string[] = [];
	for (const segment of route.split('/').filter((s) => s && !/^\(.*\)$/.test(s))) {
		const params = [...segment.matchAll(/\[(?:\.\.\.)?(\w+)(?:=\w+)?\]/g)].map((m) => m[1]);
		let options = [segment];
		for (const name of params) {
			if (!values[name]) missing.push(`${route}: ${name}`);
			options = options.flatMap((o) => (values[name] ?? ['?']).map((v) => o.replace(/\[(?:\.\.\.)?\w+(?:=\w+)?\]/, v)));
		}
		urls = urls.flatMap((u) => options.map((o) => `${u}/${o}`));
	}
	return { urls: urls.map((u) => (u || '/') + QUERY), missing };
}

describe('every page route', () => {
	it('has a value for each of its parameters', () => {
		const routes = routeIds();
		expect(routes).toContain('/(parent)/consumatori/[id=id]/estratto-conto/[group=id]');
		expect(routes.flatMap((r) => urlsOf(r, family).missing)).toEqual([]);
	});

	it('shows Maria her family (the control: the ids and the pattern find it)', async () => {
		const response = await maria.fetch(`${server.url}/consumatori/${family.luca}/estratto-conto/${family.group}${QUERY}`);
		expect(response.status).toBe(200);
		expect(bodyText(response, new Uint8Array(await response.arrayBuffer()))).toMatch(FAMILY_DATA);
	});

	// A GET may write the caller's own trail (an export is audited, a SPID login starts a state): the family's rows may not change.
	it('shows no stranger anything of the family, and changes none of its rows', async () => {
		const before = mazzeState(server.dbPath, family).family;
		const wrong: string[] = [];
		let requests = 0;
		for (const route of routeIds()) {
			for (const url of urlsOf(route, family).urls) {
				for (const [caller, client] of Object.entries(callers)) {
					const response = await client.fetch(`${server.url}${url}`, { headers: { accept: 'text/html' } });
					const body = bodyText(response, new Uint8Array(await response.arrayBuffer()));
					requests++;
					if (response.status >= 500) wrong.push(`${url} as ${caller}: ${response.status}`);
					const leak = body.match(FAMILY_DATA);
					if (leak) wrong.push(`${url} as ${caller}: ${response.status} with “${leak[0]}”`);
				}
			}
		}
		expect(wrong).toEqual([]);
		expect(requests).toBeGreaterThan(100);
		expect(mazzeState(server.dbPath, family).family).toEqual(before);
	});
});

// ---------------------------------------------------------------------------------------------
// Every procedure, with the valid inputs of bad-input.test.ts aimed at the family.
// ---------------------------------------------------------------------------------------------

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation'; inputs: ZodType[] } }>)
	.map(([path, p]) => ({ path, type: p._def.type, schema: p._def.inputs[0] as ZodType | undefined }))
	// last: it ends the caller's session
	.sort((a, b) => Number(a.path === 'auth.logout') - Number(b.path === 'auth.logout'));

/**
 * The caller's own account, not the family's: these may write (a profile update is audited in the
 * caller's Comune, a wrong code or password is counted, the offline copy makes the caller's own
 * children's Punto LIS codes) but must still show nothing of the family and change none of its rows.
 */
const OWN_ACCOUNT = new Set(['auth.logout', 'auth.proveSecondFactor', 'auth.changePassword', 'auth.renewRecoveryCodes', 'profile.update', 'profile.updatePrefs', 'guardian.offlineCopy']);
/** Public by design, for an address anyone can type: Maria herself is sent the reset link. */
const WRITES_BY_DESIGN: Record<string, string[]> = { 'auth.requestReset': ['email_tokens'] };

function aimedAtFamily(path: string, f: Family): unknown {
	const valid = validInputs[path];
	if (valid === NO_INPUT) return undefined;
	const ids: Record<string, unknown> = {
		consumerId: f.luca, fromConsumerId: f.luca, toConsumerId: f.sofia, serviceGroupId: f.group, paymentId: f.payment, enrolmentId: f.lucaEnrolment,
		accountIds: f.accounts, schoolId: f.school, schoolClassId: f.schoolClass, schoolYearId: f.schoolYear, serviceId: f.service, tariffBandId: f.band,
		closureId: f.closure, tenantId: f.mazze, userId: f.maria
	};
	const aim = (value: unknown): unknown =>
		Array.isArray(value) ? value.map(aim) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k in ids ? ids[k] : aim(v)])) : value;
	const overrides: Record<string, Record<string, unknown>> = {
		// strangers do not know Maria's password; the Chiusi staff's own is the demo one
		'auth.login': { password: 'Indovinata-2026!' },
		'auth.changePassword': { currentPassword: 'Indovinata-2026!' },
		'auth.register': { codiceFiscale: 'RSSMRA85C52L219F', email: MARIA },
		'profile.update': { contactEmail: 'estraneo@example.com', phone: '' },
		'guardian.activate': { code: 'RSSX-UCA2-MZZ3' }, // Luca's
		'officeOverview.audit': { q: 'Rossi', actor: MARIA },
		'officeSchools.setArchived': { id: f.school }
	};
	return { ...(aim(valid) as object), ...overrides[path] };
}

async function call(client: TestClient, path: string, type: 'query' | 'mutation', input: unknown) {
	const url = `${server.url}/api/trpc/${path}`;
	const json = input === undefined ? undefined : JSON.stringify(input);
	const response =
		type === 'query'
			? await client.fetch(json === undefined ? url : `${url}?input=${encodeURIComponent(json)}`)
			: await client.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
	return { status: response.status, body: await response.text() };
}

describe('every procedure, aimed at the family', () => {
	let mailsBefore: number;
	beforeAll(() => void (mailsBefore = server.smtp.received.length));

	// So that every refusal below is the server's judgement of the caller, never of the input's shape.
	it('sends each procedure an input its own schema accepts', () => {
		const rejected = procedures.filter((p) => p.schema && !p.schema.safeParse(aimedAtFamily(p.path, family)).success).map((p) => p.path);
		expect(rejected).toEqual([]);
	});

	it('reaches Maria’s data when Maria asks (the control)', async () => {
		const { status, body } = await call(maria, 'guardian.consumer', 'query', aimedAtFamily('guardian.consumer', family));
		expect(status).toBe(200);
		expect(body).toMatch(FAMILY_DATA);
	});

	for (const p of procedures) {
		it(p.path, async () => {
			const input = aimedAtFamily(p.path, family);
			const wrong: string[] = [];
			for (const [caller, client] of Object.entries(callers)) {
				const before = mazzeState(server.dbPath, family);
				const { status, body } = await call(client, p.path, p.type, input);
				const after = mazzeState(server.dbPath, family);
				const leak = body.match(FAMILY_DATA);
				if (leak) wrong.push(`${caller}: ${status} with “${leak[0]}”: ${body.slice(0, 200)}`);
				if (status >= 500) wrong.push(`${caller}: ${status} ${body.slice(0, 200)}`);
				if (after.family !== before.family) wrong.push(`${caller}: changed the family's rows`);
				const written = Object.keys(after.rows).filter((t) => after.rows[t] !== before.rows[t] && !(WRITES_BY_DESIGN[p.path] ?? []).includes(t));
				if (written.length && !OWN_ACCOUNT.has(p.path)) wrong.push(`${caller}: wrote ${written.join(', ')} (${status} ${body.slice(0, 120)})`);
			}
			expect(wrong).toEqual([]);
		});
	}

	it('mailed nobody but Maria anything of the family, and Maria only what anyone may make her receive', () => {
		const mails = server.smtp.received.slice(mailsBefore);
		expect(mails.filter((m) => m.to !== MARIA && FAMILY_DATA.test(`${m.subject}\n${m.text}`)).map((m) => `${m.to}: ${m.subject}`)).toEqual([]);
		expect(mails.filter((m) => m.to === MARIA && !/^(Hai già un account|Reimposta la password)/.test(m.subject)).map((m) => m.subject)).toEqual([]);
	});
});
