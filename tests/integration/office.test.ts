import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { TRPCClientError } from '@trpc/client';
import { until } from '../helpers/wait.js';
import { serviceThursday, startTestServer, type TestServer } from '../helpers/server.js';
import { signedInCast, type TestClient } from '../helpers/client.js';
import type { AppRouter } from '../../server/trpc/app.js';

/*
 * The back office through the API: pupil search limited by role, diet labels reaching the kitchen,
 * the CSV download, a class-only closure in the forecast, and a correction after the day close.
 */

const thursday = serviceThursday();
const friday = new Date(Date.parse(thursday) + 86_400_000).toISOString().slice(0, 10);

let server: TestServer;
let ufficio: TestClient, infanzia: TestClient, cucina: TestClient, genitore: TestClient;

const setClock = async (iso: string) => {
	const r = await fetch(`${server.url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ now: iso }) });
	expect(r.status).toBe(200);
};

async function refusal(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
	try {
		await promise;
	} catch (e) {
		if (e instanceof TRPCClientError) return e as TRPCClientError<AppRouter>;
		throw e;
	}
	throw new Error('expected a refusal');
}

beforeAll(async () => {
	server = await startTestServer();
	// 08:00 in Rome (07:00 UTC in winter, 09:00 in summer): before the 09:30 cutoff either way.
	await setClock(`${thursday}T07:00:00Z`);
	({ ufficio, scuola: infanzia, cucina, genitore } = await signedInCast(server.url));
});
afterAll(() => server?.stop());

describe('office.searchConsumers', () => {
	it('finds pupils for the operator, case and accents ignored, in any word order', async () => {
		const hits = await ufficio.trpc.office.searchConsumers.query({ q: 'luca' });
		expect(hits).toEqual([{ id: expect.any(Number), name: 'Luca Rossi', school: 'Scuola primaria "Gianni Rodari"', schoolClass: '3ª B', dietLabel: null }]);
		expect((await ufficio.trpc.office.searchConsumers.query({ q: '  LÙCA ' })).map((h) => h.name)).toEqual(['Luca Rossi']);
		expect((await ufficio.trpc.office.searchConsumers.query({ q: 'rossi sofia' })).map((h) => h.name)).toEqual(['Sofia Rossi']);
		expect((await ufficio.trpc.office.searchConsumers.query({ q: 'rossi' })).map((h) => h.name)).toEqual(['Luca Rossi', 'Sofia Rossi']);
		// By codice fiscale too, and nothing for one letter.
		expect((await ufficio.trpc.office.searchConsumers.query({ q: 'frrnna18' })).map((h) => h.name)).toEqual(['Anna Ferrari']);
		expect(await ufficio.trpc.office.searchConsumers.query({ q: 'r' })).toEqual([]);
		// LIKE's wildcards are text, not patterns.
		expect(await ufficio.trpc.office.searchConsumers.query({ q: '%%' })).toEqual([]);
	});

	it('limits school staff to their delegated school: the infanzia finds Sofia, never Luca', async () => {
		expect(await infanzia.trpc.office.searchConsumers.query({ q: 'luca' })).toEqual([]);
		const hits = await infanzia.trpc.office.searchConsumers.query({ q: 'rossi' });
		expect(hits).toEqual([{ id: expect.any(Number), name: 'Sofia Rossi', school: "Scuola dell'infanzia di Mazzè", schoolClass: 'Sezione A', dietLabel: 'senza glutine' }]);
	});

	it('is refused to the kitchen and to guardians, and refuses unknown fields', async () => {
		expect((await refusal(cucina.trpc.office.searchConsumers.query({ q: 'luca' }))).data?.code).toBe('FORBIDDEN');
		expect((await refusal(genitore.trpc.office.searchConsumers.query({ q: 'luca' }))).data?.code).toBe('FORBIDDEN');
		const strict = await refusal(ufficio.trpc.office.searchConsumers.query({ q: 'luca', limit: 500 } as never));
		expect(strict.data?.code).toBe('BAD_REQUEST');
	});

	it('school staff cannot correct a pupil outside their schools', async () => {
		const [luca] = await ufficio.trpc.office.searchConsumers.query({ q: 'luca' });
		const e = await refusal(infanzia.trpc.office.correctDay.mutate({ consumerId: luca.id, date: thursday, assenza: true, pastoInBianco: false, reason: 'Prova' }));
		expect(e.data?.code).toBe('FORBIDDEN');
	});
});

describe('office.setDietLabel', () => {
	it('sets a label that the kitchen report lists, with an audit entry', async () => {
		const [luca] = await ufficio.trpc.office.searchConsumers.query({ q: 'luca' });
		expect(await ufficio.trpc.office.setDietLabel.mutate({ consumerId: luca.id, dietLabel: '  senza lattosio ' })).toEqual({ status: 'saved', consumerId: luca.id, dietLabel: 'senza lattosio' });
		expect((await ufficio.trpc.office.searchConsumers.query({ q: 'luca' }))[0].dietLabel).toBe('senza lattosio');

		const report = await cucina.trpc.office.kitchenReport.query({ date: thursday });
		expect(report.status).toBe('forecast');
		expect(report.rows.find((r) => r.schoolClass === '3ª B')).toMatchObject({ normale: 1, bianco: 0, diets: { 'senza lattosio': 1 } });
		expect(report.totals.diets).toEqual({ 'senza glutine': 1, 'senza lattosio': 1 });

		const db = new Database(server.dbPath, { readonly: true });
		try {
			const audit = db.prepare(`SELECT actor_user_id, details FROM audit_log WHERE action = 'consumer.diet_label' AND entity_id = ?`).all(String(luca.id)) as { actor_user_id: string; details: string }[];
			expect(audit).toHaveLength(1);
			expect(JSON.parse(audit[0].details)).toEqual({ from: null, to: 'senza lattosio' });
		} finally {
			db.close();
		}
	});

	it('refuses labels over 60 characters, unknown pupils, and anyone but the operator', async () => {
		const [sofia] = await ufficio.trpc.office.searchConsumers.query({ q: 'sofia' });
		const long = await refusal(ufficio.trpc.office.setDietLabel.mutate({ consumerId: sofia.id, dietLabel: 'x'.repeat(61) }));
		expect(long.data?.code).toBe('BAD_REQUEST');
		expect((long.data as unknown as { fieldErrors?: Record<string, string> }).fieldErrors?.dietLabel).toBe('Dieta speciale: al massimo 60 caratteri');
		expect((await refusal(ufficio.trpc.office.setDietLabel.mutate({ consumerId: 999_999, dietLabel: null }))).data?.code).toBe('NOT_FOUND');
		expect((await refusal(infanzia.trpc.office.setDietLabel.mutate({ consumerId: sofia.id, dietLabel: null }))).data?.code).toBe('FORBIDDEN');
		expect((await ufficio.trpc.office.searchConsumers.query({ q: 'sofia' }))[0].dietLabel).toBe('senza glutine');
	});
});

describe('kitchen report CSV', () => {
	it('downloads the day as a CSV with a BOM and the header line', async () => {
		const response = await cucina.fetch(`${server.url}/cucina/report.csv?data=${thursday}`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
		expect(response.headers.get('content-disposition')).toBe(`attachment; filename="pasti-mazze-${thursday}.csv"`);
		const bytes = new Uint8Array(await response.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const lines = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1).split('\r\n');
		expect(lines[0]).toBe('Data;Stato;Scuola;Classe;Pasti normali;Pasti in bianco;Totale;Diete speciali');
		expect(lines).toContain(`${thursday};previsione;"Scuola primaria ""Gianni Rodari""";3ª B;1;0;1;senza lattosio: 1`);
	});

	it('is open to operators and school staff, 403 for a guardian, a login redirect for nobody, 400 for a bad date', async () => {
		expect((await ufficio.fetch(`${server.url}/cucina/report.csv?data=${thursday}`)).status).toBe(200);
		expect((await infanzia.fetch(`${server.url}/cucina/report.csv?data=${thursday}`)).status).toBe(200);
		expect((await genitore.fetch(`${server.url}/cucina/report.csv?data=${thursday}`)).status).toBe(403);
		const anonymous = await fetch(`${server.url}/cucina/report.csv?data=${thursday}`, { redirect: 'manual' });
		expect(anonymous.status).toBe(303);
		expect((await cucina.fetch(`${server.url}/cucina/report.csv?data=2026-02-30`)).status).toBe(400);
	});
});

describe('closures and corrections', () => {
	it('a class-only closure removes that class, and only it, from the kitchen forecast', async () => {
		const calendar = await ufficio.trpc.office.calendar.query();
		const primaA = calendar.classes.find((c) => c.name === '1ª A' && calendar.schools.find((s) => s.id === c.schoolId)?.level === 'primaria')!;
		const before = await cucina.trpc.office.kitchenReport.query({ date: friday });
		expect(before.rows.map((r) => r.schoolClass)).toContain('1ª A');

		const added = await ufficio.trpc.office.addClosure.mutate({ schoolId: null, schoolClassId: primaA.id, fromDate: friday, toDate: friday, reason: 'Gita scolastica' });
		expect(added).toMatchObject({ status: 'saved', effectiveFrom: friday });

		const after = await cucina.trpc.office.kitchenReport.query({ date: friday });
		expect(after.rows.map((r) => r.schoolClass)).not.toContain('1ª A');
		expect(after.rows.map((r) => r.schoolClass)).toEqual(expect.arrayContaining(['3ª B', 'Sezione A']));
		expect(after.totals.pasti).toBe(before.totals.pasti - 1);
		// The day before is untouched.
		expect((await cucina.trpc.office.kitchenReport.query({ date: thursday })).rows.map((r) => r.schoolClass)).toContain('1ª A');
		// The closure is listed with the class and the school filled in.
		const listed = (await ufficio.trpc.office.calendar.query()).closures.find((c) => c.id === added.value);
		expect(listed).toMatchObject({ schoolClassId: primaA.id, schoolId: primaA.schoolId, reason: 'Gita scolastica' });
	});

	it('after the day close, correcting Luca to Assente refunds the meal', async () => {
		const [luca] = await ufficio.trpc.office.searchConsumers.query({ q: 'luca' });
		// 10:00 (or 11:00 in summer) in Rome: past the cutoff. The server's scheduler closes the day.
		await setClock(`${thursday}T09:00:00Z`);
		const report = await until(() => cucina.trpc.office.kitchenReport.query({ date: thursday }), (r) => r.status === 'final');
		expect(report.closedAt).not.toBeNull();
		expect(report.rows.find((r) => r.schoolClass === '3ª B')).toMatchObject({ normale: 1, diets: { 'senza lattosio': 1 } });

		const result = await ufficio.trpc.office.correctDay.mutate({ consumerId: luca.id, date: thursday, assenza: true, pastoInBianco: false, reason: 'Uscito prima di pranzo' });
		expect(result).toEqual({ status: 'corrected', receiptId: expect.stringMatching(/^C[A-Z0-9]{12}$/), ledger: 'refunded' });
		// Once more: nothing left to refund.
		expect(await ufficio.trpc.office.correctDay.mutate({ consumerId: luca.id, date: thursday, assenza: true, pastoInBianco: false, reason: 'Di nuovo' })).toMatchObject({ ledger: 'none' });
		// What was cooked stays in the final report; the bill changed.
		expect((await cucina.trpc.office.kitchenReport.query({ date: thursday })).rows.find((r) => r.schoolClass === '3ª B')).toMatchObject({ normale: 1 });
		// A closed day cannot get a closure any more.
		const late = await refusal(ufficio.trpc.office.addClosure.mutate({ schoolId: null, schoolClassId: null, fromDate: thursday, toDate: thursday, reason: 'Sciopero' }));
		expect(late.data?.code).toBe('BAD_REQUEST');
	});
});
