import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Agent, request as httpRequest } from 'node:http';
import type { ZodType } from 'zod';
import { appRouter } from '../../server/trpc/app.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClient } from '../helpers/client.js';

/*
 * Every procedure of the router, sent every kind of bad input a browser, a script or an attacker
 * can produce: each must be refused with a 4xx and a short JSON error a person can read (Italian
 * for validation errors), never a 5xx, a stack trace or a driver message, and nothing may be
 * written to the database. The procedures come from the router itself, so a new procedure makes
 * this file fail until it gets a line in `validInputs`.
 */

// ---------------------------------------------------------------------------------------------
// One valid-looking input per procedure. NO_INPUT: the procedure takes none (no parser, or z.undefined()).
// Never sent as is except with the wrong HTTP method, so nothing here actually runs.
// ---------------------------------------------------------------------------------------------

const NO_INPUT = 'NO_INPUT' as const;
type ValidInput = Record<string, unknown> | typeof NO_INPUT;

const validInputs: Record<string, ValidInput> = {
	'tenants.search': { q: 'mazze' },
	'tenants.bySlug': { slug: 'mazze' },
	'auth.register': {
		tenantSlug: 'mazze',
		givenName: 'Giovanni',
		familyName: 'Ferrari',
		codiceFiscale: 'FRRGNN82H15L219L',
		email: 'giovanni.ferrari@example.com',
		password: 'Refezione-Mazzè-42',
		privacyAccepted: true
	},
	'auth.resendVerification': { tenantSlug: 'mazze', email: 'giovanni.ferrari@example.com' },
	'auth.verifyEmail': { token: 'abcdefghijklmnopqrstuvwxyz234567' },
	'auth.login': { tenantSlug: 'mazze', email: 'maria.rossi@example.com', password: 'MensaAperta-2026' },
	'auth.logout': NO_INPUT,
	'auth.changePassword': { currentPassword: 'MensaAperta-2026', newPassword: 'Refezione-Mazzè-42' },
	'auth.requestReset': { tenantSlug: 'mazze', email: 'maria.rossi@example.com' },
	'auth.resetPassword': { token: 'abcdefghijklmnopqrstuvwxyz234567', password: 'Refezione-Mazzè-42' },
	'auth.me': NO_INPUT,
	'guardian.consumers': NO_INPUT,
	'guardian.consumer': { consumerId: 1 },
	'guardian.activate': { code: 'ABCD-EFGH-JKLM' },
	'guardian.offlineCopy': { version: 'abc' },
	'profile.get': NO_INPUT,
	'profile.update': { contactEmail: 'maria.rossi@example.com', phone: '333 1234567' },
	'profile.updatePrefs': { lowBalanceEmail: true, lowBalanceMeals: 3, markReceiptEmail: false, newsEmail: true },
	'meals.days': { consumerId: 1, from: '2026-11-23', to: '2026-11-29' },
	'meals.mark': { marks: [{ mutationId: '6f1c2a9e-3b7d-4c1e-9a2f-5d8e7b6a4c3d', consumerId: 1, date: '2026-11-24', kind: 'assenza', value: true }] },
	'meals.history': { consumerId: 1, date: '2026-11-24' },
	'payments.ricarica': NO_INPUT,
	'payments.createCart': { lines: [{ consumerId: 1, serviceGroupId: 1, amountCents: 2_000 }], channel: 'pagopa_avviso', declaration: true },
	'payments.emailAvviso': { paymentId: 1 },
	'payments.list': NO_INPUT,
	'account.balances': { consumerId: 1 },
	'account.statement': { consumerId: 1, serviceGroupId: 1, from: '2026-11-01', to: '2026-11-30' },
	'office.kitchenReport': { date: '2026-11-24' },
	'office.correctDay': { consumerId: 1, date: '2026-11-24', assenza: true, pastoInBianco: false, reason: 'Telefonata della famiglia' },
	'office.searchConsumers': { q: 'rossi' },
	'office.setDietLabel': { consumerId: 1, dietLabel: 'senza glutine' },
	'office.calendar': NO_INPUT,
	'office.setCalendar': { schoolId: 1, schoolYearId: 1, weekdays: [1, 2, 3, 4, 5], firstDay: '2026-09-14', lastDay: '2027-06-10' },
	// ids rather than null: the "wrong types" case turns a null into 42, a valid id
	'office.addClosure': { schoolId: 1, schoolClassId: 2, fromDate: '2026-12-23', toDate: '2027-01-06', reason: 'Vacanze di Natale' },
	'office.removeClosure': { closureId: 1 },
	'officePayments.payments': { page: 1, sort: 'date', dir: 'desc', status: 'paid', channel: 'sportello', q: 'rossi' },
	'officePayments.receiptsToCheck': { page: 1 },
	'officePayments.consumerAccounts': { consumerId: 1 },
	'officePayments.counterTopup': { consumerId: 1, serviceGroupId: 1, amount: '20,00', method: 'contanti', receiptNumber: 'R-2026/0042' },
	'officePayments.refund': { requestId: '0b6f6a52-4a8e-4c43-9d55-6e2f1f0f7c11', consumerId: 1, serviceGroupId: 1, amount: '10,00', reason: 'Trasferimento ad altro Comune' },
	'officePayments.transfer': { requestId: '5d0c1e7a-2b9f-4f3e-8a61-0c7d2e9b4a55', fromConsumerId: 1, toConsumerId: 2, serviceGroupId: 1, amount: '5,00', reason: 'Richiesta della madre' },
	'officePayments.reconciliation': { date: '2026-11-23' },
	'officePayments.pause': NO_INPUT,
	'officePayments.setPause': { from: '2026-12-22', resumeOn: '2027-01-10', message: 'Il servizio di pagamento verrà riattivato il 10/01.' },
	'officePayments.clearPause': NO_INPUT,
	'officeTariffs.overview': NO_INPUT,
	'officeTariffs.createGroup': { name: 'Trasporto' },
	'officeTariffs.renameGroup': { serviceGroupId: 1, name: 'Refezione scolastica' },
	'officeTariffs.createService': { serviceGroupId: 1, name: 'Merenda' },
	'officeTariffs.renameService': { serviceId: 1, name: 'Mensa' },
	'officeTariffs.createBand': { schoolYearId: 1, name: 'Fascia D — ISEE oltre 30.000 €', price: '5,80' },
	'officeTariffs.updateBand': { tariffBandId: 1, name: 'Fascia A — ISEE fino a 8.000 €', price: '2,50' },
	'officeTariffs.deleteBand': { tariffBandId: 1 },
	'officeTariffs.addPriceChange': { tariffBandId: 1, validFrom: '2027-01-11', price: '2,70' },
	'officeTariffs.deletePriceChange': { priceChangeId: 1 },
	'officeTariffs.setSiblingDiscount': { schoolYearId: 1, pct: 20 },
	'officeImport.progress': { jobId: '3c9e7a41-5b2d-4e8f-9a16-0d4c8b7e2f53' },
	'officeDebtors.list': { page: 1, sort: 'debt', dir: 'desc', schoolId: 1, minDebt: '10,00' },
	'officeDebtors.template': NO_INPUT,
	'officeDebtors.setTemplate': { template: 'Gentile {nome_genitore}, il saldo di {nome_figlio} è {importo}.' },
	'officeDebtors.preview': { accountIds: [1, 2], schoolId: 1, minDebt: '' },
	'officeDebtors.send': { requestId: '9a3e1c52-7b4d-4f0e-8c2a-1d6b5e9f3a70', accountIds: [1, 2], schoolId: 1, minDebt: '' },
	'officeOverview.dashboard': { month: '2026-11' },
	'officeOverview.audit': { page: 1, action: 'debtors.remind', entity: 'reminder_batch', actor: 'ufficio@mazze.example.it', from: '2026-11-01', to: '2026-11-30', q: 'Ferrari' },
	'officeConsumers.list': { page: 1, sort: 'name', dir: 'asc', q: 'rossi', schoolId: 1, schoolClassId: 2, unlinked: true },
	'officeConsumers.options': NO_INPUT,
	'officeConsumers.detail': { consumerId: 1 },
	'officeConsumers.create': { codiceFiscale: 'VRDGLI20A41E379X', givenName: 'Giulia', familyName: 'Verdi', birthDate: '2020-01-01', schoolClassId: 1, serviceId: 1, tariffBandId: 1, applicantFiscalCode: 'FRRGNN82H15L219L', applicantName: 'Giovanni Ferrari', fromDate: '2026-11-30' },
	'officeConsumers.update': { consumerId: 1, codiceFiscale: 'RSSLCU17E04E379I', givenName: 'Luca', familyName: 'Rossi', birthDate: '2017-05-04' },
	'officeConsumers.moveClass': { consumerId: 1, schoolClassId: 2 },
	'officeConsumers.endEnrolment': { enrolmentId: 1, toDate: '2026-12-22' },
	'officeConsumers.regenerateCode': { enrolmentId: 1 },
	'officeConsumers.issueLetters': { schoolClassId: 2, includeLinked: false },
	'admin.tenants': { page: 1, sort: 'name', dir: 'asc', q: 'mazze' },
	'admin.tenant': { tenantId: 1 },
	'admin.createTenant': { slug: 'caluso', name: 'Caluso', province: 'TO', codiceFiscaleEnte: '84001550015', contactOffice: 'Ufficio scuola', contactName: 'Anna Bruno', contactPhone: '011 9891911', contactEmail: 'scuola@caluso.example.it', cutoffTime: '09:30', spidEnabled: true, cieEnabled: false, oidcIssuer: 'https://id.example.it', oidcClientId: 'mensa-caluso', oidcClientSecret: 'segreto-oidc-di-prova', segregationCode: '01', pagopaMode: 'simulator', checkoutBaseUrl: 'https://api.platform.pagopa.it', gpdBaseUrl: 'https://api.platform.pagopa.it', checkoutSubscriptionKey: 'chiave-checkout', gpdSubscriptionKey: 'chiave-gpd', iban: 'IT60X0542811101000000123456', transferCategory: '9/0101108TS/', receiptSecret: 'ricevute-0123456789abcdef0123456789', lisMode: 'simulator', lisSecret: 'lis-0123456789abcdef0123456789abcd', letterInstructions: 'Attivate il codice dall’app.' },
	'admin.updateTenant': { tenantId: 1, name: 'Mazzè', province: 'TO', codiceFiscaleEnte: '84001550015', contactOffice: 'Ufficio scuola', contactName: 'Anna Bruno', contactPhone: '011 9835901', contactEmail: 'scuola@mazze.example.it', cutoffTime: '09:30', spidEnabled: false, cieEnabled: false, oidcIssuer: 'https://id.example.it', oidcClientId: 'mensa-mazze', oidcClientSecret: '', segregationCode: '01', pagopaMode: 'simulator', checkoutBaseUrl: '', gpdBaseUrl: '', checkoutSubscriptionKey: '', gpdSubscriptionKey: '', iban: '', transferCategory: '', receiptSecret: '', lisMode: 'simulator', lisSecret: '', letterInstructions: '' },
	'admin.setLogo': { tenantId: 1, logo: 'data:image/png;base64,iVBORw0KGgo=' },
	'admin.inviteOperator': { tenantId: 1, givenName: 'Paola', familyName: 'Neri', email: 'paola.neri@mazze.example.it' },
	'officeSchools.overview': NO_INPUT,
	'officeSchools.createSchoolYear': { label: '2027/28', firstDay: '2027-09-13', lastDay: '2028-06-09' },
	'officeSchools.updateSchoolYear': { schoolYearId: 1, label: '2026/27', firstDay: '2026-09-14', lastDay: '2027-06-10' },
	'officeSchools.createSchool': { name: 'Scuola primaria di Tonengo', level: 'primaria', managedBy: 'comune', address: 'Via Roma 1' },
	'officeSchools.updateSchool': { schoolId: 1, name: 'Scuola primaria di Tonengo', level: 'primaria', managedBy: 'comune', address: 'Via Roma 1' },
	'officeSchools.setArchived': { kind: 'school', id: 1, archived: true },
	'officeSchools.createClass': { schoolId: 1, schoolYearId: 1, name: '4ª A' },
	'officeSchools.renameClass': { schoolClassId: 1, name: '4ª A' },
	'officeSchools.inviteSchoolStaff': { schoolId: 1, givenName: 'Carla', familyName: 'Gallo', email: 'segreteria@primaria.example.it' },
	'invitations.show': { token: 'abcdefghijklmnopqrstuvwxyz234567' },
	'invitations.accept': { token: 'abcdefghijklmnopqrstuvwxyz234567', password: 'Refezione-Mazzè-42' },
};

// ---------------------------------------------------------------------------------------------
// The router, walked.
// ---------------------------------------------------------------------------------------------

interface ProcedureDef {
	type: 'query' | 'mutation' | 'subscription';
	meta?: { roles?: readonly string[] };
	inputs: unknown[];
}
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>).map(([path, p]) => ({
	path,
	type: p._def.type,
	roles: p._def.meta?.roles ?? [],
	schema: p._def.inputs[0] as ZodType | undefined
}));
type Procedure = (typeof procedures)[number];

const maria = { tenantSlug: 'mazze', email: 'maria.rossi@example.com', password: 'MensaAperta-2026' };
const ufficio = { tenantSlug: 'mazze', email: 'ufficio@mazze.example.it', password: 'MensaAperta-2026' };
const cucina = { tenantSlug: 'mazze', email: 'cucina@mazze.example.it', password: 'MensaAperta-2026' };
const amministratore = { email: 'admin@mensa-aperta.example', password: 'MensaAperta-2026' };

type Caller = 'anonymous' | 'guardian' | 'kitchen' | 'operator' | 'admin';

/** Public procedures are called signed out; the others as Maria (guardian), the kitchen, the ufficio scuola or the platform admin. */
function callerOf(p: Procedure): Caller | undefined {
	if (p.roles.length === 0) return 'anonymous';
	if (p.roles.includes('guardian')) return 'guardian';
	if (p.roles.includes('kitchen')) return 'kitchen';
	if (p.roles.includes('operator')) return 'operator';
	if (p.roles.includes('admin')) return 'admin';
	return undefined;
}

// ---------------------------------------------------------------------------------------------
// The cases.
// ---------------------------------------------------------------------------------------------

type Expectation =
	/** refused by validation: 400, Italian message, fieldErrors (optionally for these fields) */
	| { kind: 'validation'; fields?: string[] }
	/** refused before or while parsing the body (malformed JSON, too large): 4xx with a readable message */
	| { kind: 'refused'; statuses?: number[]; italian?: boolean; transportRefusalAllowed?: boolean }
	/** the wrong HTTP method */
	| { kind: 'method' };

interface Case {
	name: string;
	method: 'GET' | 'POST';
	/** the raw JSON text: the body of a POST, the `input` parameter of a GET; undefined sends none */
	raw?: string;
	/** streams a POST body without Content-Length */
	chunked?: boolean;
	expect: Expectation;
}

const MB = 'x'.repeat(1024 * 1024);
const LONG = 'x'.repeat(2048); // over every field's maximum, yet small enough for a URL

function casesFor(p: Procedure): Case[] {
	const valid = validInputs[p.path];
	const method = p.type === 'query' ? 'GET' : 'POST';
	const json = (value: unknown) => JSON.stringify(value);
	const cases: Case[] = [];

	if (valid === NO_INPUT) {
		cases.push(
			{ name: 'malformed JSON', method, raw: '{"email":', expect: { kind: 'refused' } },
			{ name: 'JSON array', method, raw: json([]), expect: { kind: 'validation' } },
			{ name: 'null', method, raw: 'null', expect: { kind: 'validation' } },
			{ name: 'unknown extra field', method, raw: json({ ruolo: 'admin' }), expect: { kind: 'validation' } },
			{ name: '1 MB body', method, raw: json({ padding: MB }), expect: sizeExpectation(method) }
		);
		if (method === 'POST') {
			cases.push({ name: '1 MB body without Content-Length', method, raw: json({ padding: MB }), chunked: true, expect: { kind: 'refused' } });
		}
	} else {
		const fields = Object.keys(valid);
		const stringFields = fields.filter((k) => typeof valid[k] === 'string');
		const wrongType = (v: unknown) => (typeof v === 'string' ? 12345 : typeof v === 'boolean' ? 'true' : typeof v === 'number' ? String(v) : 42);
		const required = fields.filter((k) => !p.schema!.safeParse(omit(valid, k)).success);
		const everyString = (value: string) => ({ ...valid, ...Object.fromEntries(stringFields.map((k) => [k, value])) });

		cases.push(
			{ name: 'malformed JSON', method, raw: '{"email":', expect: { kind: 'refused' } },
			{ name: 'JSON array', method, raw: json([valid]), expect: { kind: 'validation' } },
			{
				name: 'wrong types',
				method,
				raw: json(Object.fromEntries(fields.map((k) => [k, wrongType(valid[k])]))),
				expect: { kind: 'validation', fields }
			}
		);
		if (stringFields.length) {
			cases.push({ name: '2 KB strings', method, raw: json(everyString(LONG)), expect: { kind: 'validation', fields: stringFields } });
		}
		cases.push(
			{
				name: '1 MB strings',
				method,
				// a procedure without string fields gets its megabyte in an extra one
				raw: json(stringFields.length ? everyString(MB) : { ...valid, padding: MB }),
				expect: sizeExpectation(method)
			},
			{ name: 'unknown extra field', method, raw: json({ ...valid, ruolo: 'admin' }), expect: { kind: 'validation', fields: ['_'] } },
			{ name: 'null', method, raw: 'null', expect: { kind: 'validation' } },
			{ name: 'no input at all', method, raw: undefined, expect: { kind: 'validation' } },
			{ name: 'missing fields ({})', method, raw: json({}), expect: { kind: 'validation', fields: required } },
			...required.map((k): Case => ({ name: `missing ${k}`, method, raw: json(omit(valid, k)), expect: { kind: 'validation', fields: [k] } }))
		);
		if (method === 'POST') {
			cases.push({
				name: '1 MB body without Content-Length',
				method,
				raw: json(stringFields.length ? everyString(MB) : { ...valid, padding: MB }),
				chunked: true,
				expect: { kind: 'refused' }
			});
		}
	}
	// The right input with the wrong method: refused, nothing runs.
	const rightInput = valid === NO_INPUT ? undefined : json(valid);
	cases.push({ name: `valid input with ${method === 'GET' ? 'POST' : 'GET'}`, method: method === 'GET' ? 'POST' : 'GET', raw: rightInput, expect: { kind: 'method' } });
	return cases;
}

/**
 * A POST over 256 KiB is refused by the app (413, JSON). A GET carrying a megabyte in its URL never
 * reaches the app: Node's HTTP parser answers 431 (no body) or drops the connection while the request
 * is still being written. Both are fine, as long as the server keeps serving.
 */
function sizeExpectation(method: 'GET' | 'POST'): Expectation {
	return method === 'POST' ? { kind: 'refused', statuses: [400, 413], italian: true } : { kind: 'refused', statuses: [400, 413, 414, 431], transportRefusalAllowed: true };
}

function omit(o: Record<string, unknown>, key: string) {
	const { [key]: _, ...rest } = o;
	return rest;
}

// ---------------------------------------------------------------------------------------------
// The server, Maria's session, and the row counts.
// ---------------------------------------------------------------------------------------------

let server: TestServer;
let db: Database.Database;
let anonymous: ReturnType<typeof testClient>;
let guardian: ReturnType<typeof testClient>;
let kitchen: ReturnType<typeof testClient>;
let operator: ReturnType<typeof testClient>;
let admin: ReturnType<typeof testClient>;
let baseline: Record<string, number>;
/** procedures of the router that the running build does not know (build/ older than the source) */
const missingFromBuild = new Set<string>();

/** rate_limits counts every attempt by design; everything else must stay as it was. */
const IGNORED_TABLES = new Set(['rate_limits']);

function rowCounts(): Record<string, number> {
	const tables = db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).pluck().all() as string[];
	return Object.fromEntries(tables.filter((t) => !IGNORED_TABLES.has(t)).map((t) => [t, db.prepare(`select count(*) from "${t}"`).pluck().get() as number]));
}

function expectNothingWritten(what: string) {
	expect(rowCounts(), `rows written by ${what}`).toEqual(baseline);
}

beforeAll(async () => {
	// No day-close ticks: the scheduler's own writes would move the row counts under the test.
	server = await startTestServer({ DAY_CLOSE: 'off' });
	anonymous = testClient(server.url);
	guardian = testClient(server.url);
	kitchen = testClient(server.url);
	operator = testClient(server.url);
	admin = testClient(server.url);
	for (const p of procedures) {
		const response = await fetch(`${server.url}/api/trpc/${p.path}`);
		const body = await response.text();
		if (response.status === 404 && body.includes('No procedure found')) missingFromBuild.add(p.path);
	}
	await guardian.trpc.auth.login.mutate(maria);
	await kitchen.trpc.auth.login.mutate(cucina);
	await operator.trpc.auth.login.mutate(ufficio);
	await admin.trpc.auth.login.mutate(amministratore);
	db = new Database(server.dbPath, { readonly: true, fileMustExist: true });
	// After the logins: their sessions and audit rows are part of the baseline.
	baseline = rowCounts();
});
afterAll(async () => {
	db?.close();
	await server?.stop();
});

interface Answer {
	status: number;
	contentType: string;
	text: string;
}

const isOversized = (c: Case) => (c.raw?.length ?? 0) > 256 * 1024;

async function send(p: Procedure, c: Case): Promise<Answer | { transportError: string }> {
	const client = { anonymous, guardian, kitchen, operator, admin }[callerOf(p)!];
	const url = `${server.url}/api/trpc/${p.path}` + (c.method === 'GET' && c.raw !== undefined ? `?input=${encodeURIComponent(c.raw)}` : '');
	const headers: Record<string, string> = c.method === 'POST' ? { 'content-type': 'application/json' } : {};
	if (isOversized(c) || c.chunked) {
		// A server may drop a connection it refuses a huge request on; a connection of its own keeps
		// that from breaking a later case through fetch's shared pool.
		if (client.jar.size) headers.cookie = client.cookieHeader();
		return rawRequest(url, c.method, { ...headers, origin: server.url }, c.method === 'POST' ? c.raw : undefined, c.chunked);
	}
	try {
		const response = await client.fetch(url, { method: c.method, headers, body: c.method === 'POST' ? c.raw : undefined });
		return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
	} catch (e) {
		return { transportError: (e as { cause?: { code?: string } }).cause?.code ?? String(e) };
	}
}

/**
 * One request on a connection of its own, destroyed afterwards; `chunked` streams the body without
 * Content-Length. The connection is keep-alive on purpose: a server answering early (413) then drains
 * the rest of the body instead of closing on a client that is still writing (EPIPE, lost answer).
 */
function rawRequest(url: string, method: string, headers: Record<string, string>, body?: string, chunked = false): Promise<Answer | { transportError: string }> {
	return new Promise((resolve) => {
		const bytes = body === undefined ? undefined : Buffer.from(body);
		if (bytes && !chunked) headers['content-length'] = String(bytes.length);
		const agent = new Agent({ keepAlive: true, maxSockets: 1 });
		let settled = false;
		const settle = (value: Answer | { transportError: string }) => {
			if (!settled) resolve(value);
			settled = true;
			agent.destroy();
		};
		const req = httpRequest(url, { method, headers, agent }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => settle({ status: res.statusCode!, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString() }));
			res.on('error', (e: NodeJS.ErrnoException) => settle({ transportError: e.code ?? String(e) }));
		});
		req.on('error', (e: NodeJS.ErrnoException) => settle({ transportError: e.code ?? String(e) }));
		if (bytes && chunked) {
			for (let i = 0; i < bytes.length; i += 64 * 1024) req.write(bytes.subarray(i, i + 64 * 1024));
			req.end();
		} else {
			req.end(bytes);
		}
	});
}

/** Italian enough: words of the app's and zod's Italian messages, and the commonest function words. */
const ITALIAN = /\b(non|valid[oa]|campo|obbligatori[oa]|massimo|atteso|ricevut[oa]|troppo|troppi|riconosciut[ae]|caratteri|richiesta|devi|deve|Comune|il|la|di|per|con|un|una)\b/i;
const ENGLISH_ZOD = /\b(invalid input|expected|required|unrecognized key|too big|too small|invalid type)\b/i;
const INTERNALS = /SQLITE|ZodError|TRPCError|node_modules|file:\/\/|\n\s+at\s|\bat .+:\d+:\d+/;

function checkAnswer(p: Procedure, c: Case, answer: Answer | { transportError: string }) {
	const label = `${p.path} × ${c.name}`;
	const e = c.expect;
	if ('transportError' in answer) {
		expect(e.kind === 'refused' && e.transportRefusalAllowed, `${label}: request failed (${answer.transportError})`).toBe(true);
		expect(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'], `${label}: ${answer.transportError}`).toContain(answer.transportError);
		return;
	}
	const { status, text } = answer;
	expect(status, `${label}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
	expect(status, `${label}: ${text.slice(0, 300)}`).toBeLessThan(500);
	if (e.kind === 'refused' && e.transportRefusalAllowed && [414, 431].includes(status)) return; // Node's own answer, no body

	expect(answer.contentType, `${label}: content type`).toMatch(/json/);
	const body = JSON.parse(text) as { error?: { message?: unknown; data?: { stack?: unknown; fieldErrors?: Record<string, string>; httpStatus?: number } } };
	const error = body.error;
	expect(error, `${label}: no error object in ${text.slice(0, 300)}`).toBeTypeOf('object');
	expect(error!.message, `${label}: message`).toBeTypeOf('string');
	const message = String(error!.message);
	expect(message.trim().length, `${label}: empty message`).toBeGreaterThan(0);
	expect(message.length, `${label}: message is not short text`).toBeLessThan(1000);

	expect(text, `${label}: internals in the answer`).not.toMatch(INTERNALS);
	expect(error!.data?.stack, `${label}: stack`).toBeUndefined();

	switch (e.kind) {
		case 'validation': {
			expect(status, `${label}: ${message}`).toBe(400);
			expect(message, `${label}: not Italian`).toMatch(ITALIAN);
			expect(message, `${label}: zod's English`).not.toMatch(ENGLISH_ZOD);
			const fieldErrors = error!.data?.fieldErrors;
			expect(fieldErrors, `${label}: no fieldErrors, so not refused by validation: ${message}`).toBeTypeOf('object');
			for (const field of e.fields ?? []) {
				expect(Object.keys(fieldErrors!), `${label}: no error for ${field}`).toContain(field);
				expect(fieldErrors![field], `${label}: ${field}`).toMatch(ITALIAN);
			}
			if (e.fields?.includes('_')) expect(fieldErrors!._).toMatch(/non riconosciut[ae]/);
			break;
		}
		case 'refused':
			if (e.statuses) expect(e.statuses, `${label}: status ${status}: ${message}`).toContain(status);
			if (e.italian) expect(message, `${label}: not Italian`).toMatch(ITALIAN);
			break;
		case 'method':
			expect(status, `${label}: ${message}`).toBe(405);
			break;
	}
}

async function expectServerServing() {
	const response = await fetch(`${server.url}/api/trpc/tenants.bySlug?input=${encodeURIComponent(JSON.stringify({ slug: 'mazze' }))}`);
	expect(response.status).toBe(200);
}

// ---------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------

describe('the table of inputs', () => {
	it('covers every procedure of the router, and no other', () => {
		const inRouter = procedures.map((p) => p.path);
		expect(inRouter.filter((path) => !(path in validInputs)), 'procedures missing from validInputs: add them').toEqual([]);
		expect(Object.keys(validInputs).filter((path) => !inRouter.includes(path)), 'validInputs lists procedures the router lacks').toEqual([]);
	});

	it('has a way to call every procedure', () => {
		expect(procedures.filter((p) => !callerOf(p)).map((p) => `${p.path} (${p.roles.join(', ')})`), 'no session for these roles yet: add a login to callerOf').toEqual([]);
		expect(procedures.filter((p) => p.type === 'subscription').map((p) => p.path), 'subscriptions are not covered').toEqual([]);
	});

	it('holds inputs that pass each procedure’s own schema', () => {
		for (const p of procedures) {
			const valid = validInputs[p.path];
			if (valid === undefined) continue;
			if (valid === NO_INPUT) {
				// no parser at all, or one that accepts only nothing (like `z.undefined()`)
				const takesNothing = !p.schema || (p.schema.safeParse(undefined).success && !p.schema.safeParse({}).success);
				expect(takesNothing, `${p.path} takes an input now: give it one in validInputs`).toBe(true);
			} else {
				expect(p.schema, `${p.path} takes no input: mark it NO_INPUT`).toBeDefined();
				const parsed = p.schema!.safeParse(valid);
				expect(parsed.success, `${p.path}: ${parsed.error?.message}`).toBe(true);
			}
		}
	});
});

describe('bad input is refused with a 4xx, a readable message, and nothing written', () => {
	for (const p of procedures) {
		if (!(p.path in validInputs) || !callerOf(p)) continue; // reported by the table tests above
		describe(`${p.path} (${p.type}, ${callerOf(p)})`, () => {
			for (const c of casesFor(p)) {
				it(c.name, async () => {
					expect(missingFromBuild.has(p.path), `${p.path} is not in the running build: build/ is older than the source, run vite build`).toBe(false);
					const answer = await send(p, c);
					checkAnswer(p, c, answer);
					if ('transportError' in answer || [414, 431].includes(answer.status)) await expectServerServing();
					expectNothingWritten(`${p.path} × ${c.name}`);
				});
			}
		});
	}

	it('a validation error carries no stack trace', async () => {
		const response = await anonymous.fetch(`${server.url}/api/trpc/tenants.search?input=${encodeURIComponent('{"q":1}')}`);
		const text = await response.text();
		expect(response.status).toBe(400);
		expect(text).not.toMatch(INTERNALS);
		expect(JSON.parse(text).error.data.stack).toBeUndefined();
	});
});

describe('cross-site writes', () => {
	const newcomer = { ...(validInputs['auth.register'] as object), email: 'cross.site@example.com' };
	const prefs = { lowBalanceEmail: false, lowBalanceMeals: 7, markReceiptEmail: true, newsEmail: false };

	async function post(path: string, input: unknown, headers: Record<string, string>, withSession = false) {
		const response = await fetch(`${server.url}/api/trpc/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...(withSession ? { cookie: guardian.cookieHeader() } : {}), ...headers },
			body: JSON.stringify(input),
			redirect: 'manual'
		});
		return { status: response.status, body: await response.json() };
	}
	const currentPrefs = async () => ((await guardian.trpc.profile.get.query()) as { prefs: unknown }).prefs;

	const refusals: [string, (ourOrigin: string) => Record<string, string>][] = [
		['Origin: https://evil.example', () => ({ origin: 'https://evil.example' })],
		['Origin: null (sandboxed frame)', () => ({ origin: 'null' })],
		['Sec-Fetch-Site: cross-site, even with our Origin', (ours) => ({ 'sec-fetch-site': 'cross-site', origin: ours })],
		['Sec-Fetch-Site: same-site (a sibling subdomain)', () => ({ 'sec-fetch-site': 'same-site' })]
	];
	for (const [name, headersFor] of refusals) {
		it(`refuses ${name} with 403 before anything runs`, async () => {
			const h = headersFor(server.url);
			const before = await currentPrefs();
			for (const [path, input, withSession] of [
				['auth.register', newcomer, false],
				['profile.updatePrefs', prefs, true],
				['profile.update', { contactEmail: 'altrove@example.com', phone: '' }, true],
				['auth.logout', undefined, true]
			] as const) {
				const { status, body } = await post(path, input, h, withSession);
				expect(status, `${path}: ${JSON.stringify(body)}`).toBe(403);
				expect(body.error.message).toMatch(/altro sito/);
				expectNothingWritten(`${path} with ${name}`);
			}
			expect(await currentPrefs()).toEqual(before);
			expect(server.smtp.received.filter((m) => m.to === newcomer.email)).toEqual([]);
			expect((await guardian.trpc.auth.me.query())?.email).toBe(maria.email);
		});
	}

	it('lets the same origin through (Origin, Sec-Fetch-Site: same-origin, or neither header)', async () => {
		const before = (await currentPrefs()) as typeof prefs;
		const variants: Record<string, string>[] = [{ origin: server.url }, { 'sec-fetch-site': 'same-origin', origin: server.url }, {}];
		for (const [i, headers] of variants.entries()) {
			const wanted = { ...prefs, lowBalanceMeals: 10 + i };
			const { status, body } = await post('profile.updatePrefs', wanted, headers, true);
			expect(status, JSON.stringify(body)).toBe(200);
			expect(await currentPrefs()).toEqual(wanted);
		}
		await guardian.trpc.profile.updatePrefs.mutate(before);
		expect(await currentPrefs()).toEqual(before);
		expectNothingWritten('same-origin profile.updatePrefs');
	});
});

describe('after the whole battery', () => {
	it('no row was written anywhere, rate_limits aside', () => {
		const after = rowCounts();
		for (const table of ['users', 'password_credentials', 'email_tokens', 'sessions', 'guardian_links', 'memberships', 'audit_log']) {
			expect(Object.keys(after), `table ${table} is gone or renamed: update this test`).toContain(table);
		}
		expect(after).toEqual(baseline);
	});

	it('Maria is still signed in with the one session', async () => {
		expect((await guardian.trpc.auth.me.query())?.email).toBe(maria.email);
	});
});
