import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Agent, request as httpRequest } from 'node:http';
import type { ZodType } from 'zod';
import { appRouter } from '../../server/trpc/app.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signedIn, testClient } from '../helpers/client.js';
import { NO_INPUT, validInputs } from '../helpers/valid-inputs.js';

/*
 * Every procedure of the router, sent every kind of bad input a browser, a script or an attacker
 * can produce: each must be refused with a 4xx and a short JSON error a person can read (Italian
 * for validation errors), never a 5xx, a stack trace or a driver message, and nothing may be
 * written to the database. The procedures come from the router itself, so a new procedure makes
 * this file fail until it gets a line in `validInputs`.
 */

// One valid-looking input per procedure (tests/helpers/valid-inputs.ts). Never sent as is except
// with the wrong HTTP method, so nothing here actually runs.

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

const MARIA = 'maria.rossi@example.com';

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
	for (const p of procedures) {
		const response = await fetch(`${server.url}/api/trpc/${p.path}`);
		const body = await response.text();
		if (response.status === 404 && body.includes('No procedure found')) missingFromBuild.add(p.path);
	}
	guardian = await signedIn(server.url, MARIA);
	kitchen = await signedIn(server.url, 'cucina@mazze.example.it');
	operator = await signedIn(server.url, 'ufficio@mazze.example.it');
	admin = await signedIn(server.url, 'admin@mensa-aperta.example');
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
			expect((await guardian.trpc.auth.me.query())?.email).toBe(MARIA);
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
		expect((await guardian.trpc.auth.me.query())?.email).toBe(MARIA);
	});
});
