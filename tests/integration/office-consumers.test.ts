import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedInCast, testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';
import { pdfPages, pdfText } from '../helpers/pdf-text.js';

/*
 * Pupils and enrolments in the back office over HTTP: who may do what (kitchen, guardians and
 * strangers refused; school staff only in their delegated school; another Comune's ids are
 * NOT_FOUND and leak nothing), bad input refused with Italian field errors and nothing written,
 * and the enrolment letter: its PDF carries a fresh code that the applicant then activates.
 */

type Client = ReturnType<typeof testClient>;
let server: TestServer;
let sqlite: Database.Database;
let ufficio: Client, scuola: Client, cucina: Client, genitore: Client, chiusi: Client, anonimo: Client;
let ids: { luca: number; sofia: number; anna: number; lucaEnrolment: number; sezioneA: number; primaA: number; service: number; bandB: number; chiusiClass: number; tommaso: number };

const one = (sql: string) => (sqlite.prepare(sql).get() as { id: number }).id;
const COUNTS = `SELECT (SELECT count(*) FROM consumers) c, (SELECT count(*) FROM enrolments) e, (SELECT count(*) FROM audit_log) a,
	(SELECT group_concat(activation_code_hash) FROM enrolments) h, (SELECT group_concat(school_class_id) FROM consumers) k,
	(SELECT group_concat(coalesce(to_date, '')) FROM enrolments) t, (SELECT group_concat(given_name) FROM consumers) n`;
/** What a refused call must leave as it was: rows, codes, classes, end dates, names, the audit log. */
const counts = () => sqlite.prepare(COUNTS).get();

/** A letters form as the browser posts it. */
function postLetters(client: Client, fields: Record<string, string>) {
	return client.fetch(`${server.url}/ufficio/consumatori/lettere.pdf`, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	({ ufficio, scuola, cucina, genitore, chiusi } = await signedInCast(server.url));
	anonimo = testClient(server.url);
	sqlite = new Database(server.dbPath, { readonly: true, fileMustExist: true });
	ids = {
		luca: one("SELECT id FROM consumers WHERE given_name = 'Luca'"),
		sofia: one("SELECT id FROM consumers WHERE given_name = 'Sofia'"),
		anna: one("SELECT id FROM consumers WHERE given_name = 'Anna'"),
		tommaso: one("SELECT id FROM consumers WHERE given_name = 'Tommaso'"),
		lucaEnrolment: one("SELECT e.id FROM enrolments e JOIN consumers c ON c.id = e.consumer_id WHERE c.given_name = 'Luca'"),
		sezioneA: one("SELECT id FROM school_classes WHERE name = 'Sezione A'"),
		primaA: one("SELECT id FROM school_classes WHERE name = '1ª A'"),
		service: one("SELECT s.id FROM services s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = 'mazze'"),
		bandB: one("SELECT b.id FROM tariff_bands b JOIN tenants t ON t.id = b.tenant_id WHERE t.slug = 'mazze' AND b.name LIKE 'Fascia B%'"),
		chiusiClass: one("SELECT c.id FROM school_classes c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'chiusi-della-verna' AND c.name = '2ª A'")
	};
});
afterAll(async () => {
	sqlite?.close();
	await server?.stop();
});

const giulia = () => ({ codiceFiscale: 'VRDGLI20A41E379X', givenName: 'Giulia', familyName: 'Verdi', birthDate: '', schoolClassId: ids.primaA, serviceId: ids.service, tariffBandId: ids.bandB, applicantFiscalCode: 'FRRGNN82H15L219L', applicantName: 'Giovanni Ferrari', fromDate: '2026-11-30' });

/** Every procedure with an input aimed at Mazzè's pupils. */
const calls = (c: Client) => ({
	list: () => c.trpc.officeConsumers.list.query({ page: 1, sort: 'name', dir: 'asc', q: '', schoolId: null, schoolClassId: null, unlinked: false }),
	options: () => c.trpc.officeConsumers.options.query(),
	detail: () => c.trpc.officeConsumers.detail.query({ consumerId: ids.luca }),
	create: () => c.trpc.officeConsumers.create.mutate({ ...giulia(), codiceFiscale: 'BNCLRA20A41E379I' }),
	update: () => c.trpc.officeConsumers.update.mutate({ consumerId: ids.luca, codiceFiscale: 'RSSLCU17E04E379I', givenName: 'Intruso', familyName: 'Rossi', birthDate: '' }),
	moveClass: () => c.trpc.officeConsumers.moveClass.mutate({ consumerId: ids.luca, schoolClassId: ids.primaA }),
	endEnrolment: () => c.trpc.officeConsumers.endEnrolment.mutate({ enrolmentId: ids.lucaEnrolment, toDate: '2026-12-01' }),
	regenerateCode: () => c.trpc.officeConsumers.regenerateCode.mutate({ enrolmentId: ids.lucaEnrolment }),
	issueLetters: () => c.trpc.officeConsumers.issueLetters.mutate({ consumerId: ids.luca, includeLinked: true })
});

describe('who may', () => {
	it('refuses the kitchen and guardians (FORBIDDEN) and strangers (UNAUTHORIZED), writing nothing', async () => {
		const before = counts();
		for (const [who, client, code] of [['cucina', cucina, 'FORBIDDEN'], ['genitore', genitore, 'FORBIDDEN'], ['anonimo', anonimo, 'UNAUTHORIZED']] as const) {
			for (const [name, call] of Object.entries(calls(client))) {
				expect((await failure(call())).data?.code, `${who} ${name}`).toBe(code);
			}
		}
		expect(counts()).toEqual(before);
	});

	it('refuses the pages and the letters to them too', async () => {
		for (const path of ['/ufficio/consumatori', `/ufficio/consumatori/${ids.luca}`, '/ufficio/consumatori/nuovo', '/ufficio/consumatori/lettere']) {
			expect((await cucina.fetch(`${server.url}${path}`)).status, path).toBe(403);
			expect((await genitore.fetch(`${server.url}${path}`)).status, path).toBe(403);
			expect((await anonimo.fetch(`${server.url}${path}`)).status, path).toBe(303);
		}
		const before = counts();
		expect((await postLetters(cucina, { consumerId: String(ids.anna), includeLinked: '1' })).status).toBe(403);
		expect((await postLetters(anonimo, { consumerId: String(ids.anna), includeLinked: '1' })).status).toBe(303);
		// Printing changes codes: a form posted from another site is refused before it runs.
		const crossSite = await fetch(`${server.url}/ufficio/consumatori/lettere.pdf`, {
			method: 'POST',
			body: new URLSearchParams({ consumerId: String(ids.anna), includeLinked: '1' }),
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', cookie: ufficio.cookieHeader() },
			redirect: 'manual'
		});
		expect(crossSite.status).toBe(403);
		expect(counts()).toEqual(before);
	});

	it('another Comune’s operator gets NOT_FOUND for Mazzè’s ids, sees none of its pupils, and changes nothing', async () => {
		const before = counts();
		for (const [name, call] of Object.entries(calls(chiusi))) {
			if (name === 'list' || name === 'options') continue;
			const e = await failure(call());
			expect([e.data?.code, e.data?.code === 'BAD_REQUEST' ? Object.keys(e.data.fieldErrors ?? {}) : []], name).toEqual(name === 'create' ? ['BAD_REQUEST', ['schoolClassId']] : ['NOT_FOUND', []]);
			expect(e.message, name).not.toMatch(/Luca|Rossi|Mazz/);
		}
		expect((await calls(chiusi).list()).rows.map((r) => r.name)).toEqual(['Tommaso Bianchi']);
		expect((await calls(chiusi).options()).classes.map((c) => c.id)).not.toContain(ids.primaA);
		expect((await chiusi.fetch(`${server.url}/ufficio/consumatori/${ids.luca}`)).status).toBe(404);
		const letters = await postLetters(chiusi, { consumerId: String(ids.anna), includeLinked: '1' });
		expect(letters.status).toBe(404);
		expect(await letters.text()).not.toMatch(/Anna|Ferrari/);
		expect(counts()).toEqual(before);
		// and the other way round: Mazzè's office cannot reach Tommaso or Chiusi's classes
		expect((await failure(ufficio.trpc.officeConsumers.detail.query({ consumerId: ids.tommaso }))).data?.code).toBe('NOT_FOUND');
		expect((await failure(ufficio.trpc.officeConsumers.issueLetters.mutate({ schoolClassId: ids.chiusiClass, includeLinked: true }))).data?.code).toBe('NOT_FOUND');
	});

	it('school staff reach only the delegated infanzia', async () => {
		const before = counts();
		expect((await calls(scuola).list()).rows.map((r) => r.name)).toEqual(['Sofia Rossi']);
		expect((await calls(scuola).options()).classes.map((c) => c.name)).toEqual(['Sezione A']);
		for (const name of ['detail', 'update', 'moveClass', 'endEnrolment', 'regenerateCode', 'issueLetters'] as const) {
			expect((await failure(calls(scuola)[name]())).data?.code, name).toBe('NOT_FOUND');
		}
		const outside = await failure(scuola.trpc.officeConsumers.create.mutate(giulia()));
		expect(outside.data?.fieldErrors).toEqual({ schoolClassId: 'Classe: scegli una classe delle tue scuole' });
		expect((await scuola.fetch(`${server.url}/ufficio/consumatori/${ids.luca}`)).status).toBe(404);
		const listPage = await (await scuola.fetch(`${server.url}/ufficio/consumatori`)).text();
		expect([listPage.includes('Sofia Rossi'), listPage.includes('Luca Rossi')]).toEqual([true, false]);
		expect(counts()).toEqual(before);
		expect((await scuola.trpc.officeConsumers.detail.query({ consumerId: ids.sofia })).consumer.givenName).toBe('Sofia');
	});
});

describe('bad input', () => {
	it('is refused with Italian messages next to the fields, and nothing is written', async () => {
		const before = counts();
		const e = await failure(ufficio.trpc.officeConsumers.create.mutate({ ...giulia(), codiceFiscale: 'VRDGLI20A41E379Q', givenName: ' ', schoolClassId: 0, fromDate: '2026-02-30' }));
		expect(e.data?.httpStatus).toBe(400);
		expect(e.data?.fieldErrors).toEqual({
			codiceFiscale: 'Codice fiscale: non valido (controlla lettere, cifre e carattere di controllo)',
			givenName: 'Nome: campo obbligatorio',
			schoolClassId: 'Classe: scegli un valore',
			fromDate: 'Data inesistente'
		});
		const dup = await failure(ufficio.trpc.officeConsumers.create.mutate({ ...giulia(), codiceFiscale: 'RSSLCU17E04E379I' }));
		expect(dup.data?.fieldErrors).toEqual({ codiceFiscale: 'Codice fiscale: c’è già un alunno con questo codice nel Comune' });
		const early = await failure(ufficio.trpc.officeConsumers.endEnrolment.mutate({ enrolmentId: ids.lucaEnrolment, toDate: '2026-09-01' }));
		expect(early.data?.fieldErrors?.toDate).toMatch(/^Ultimo giorno: l’iscrizione inizia il 14\/09\/2026/);
		for (const fields of [{ consumerId: 'x' }, { consumerId: String(ids.anna), schoolClassId: String(ids.primaA) }, { schoolClassId: '-1' }] as Record<string, string>[]) {
			const response = await postLetters(ufficio, fields);
			expect(response.status, JSON.stringify(fields)).toBe(400);
		}
		expect(counts()).toEqual(before);
	});
});

describe('an enrolment letter a guardian activates', () => {
	it('creates a pupil, prints the family letter with fresh codes, and the applicant links both children with them', async () => {
		const created = await ufficio.trpc.officeConsumers.create.mutate(giulia());
		const audit = sqlite.prepare("SELECT actor_user_id FROM audit_log WHERE action = 'consumer.create' AND entity_id = ?").all(String(created.consumerId));
		expect(audit).toHaveLength(1);

		const response = await postLetters(ufficio, { consumerId: String(created.consumerId) });
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/pdf');
		expect(response.headers.get('content-disposition')).toBe('attachment; filename="lettera-frrgnn82h15l219l.pdf"');
		const pdf = new Uint8Array(await response.arrayBuffer());
		const pages = pdfPages(pdf);
		expect(pages).toHaveLength(1);
		const text = pdfText(pdf);
		for (const s of ['Comune di Mazzè', 'Giovanni Ferrari', 'Anna Ferrari', 'Giulia Verdi', 'classe 1ª A', 'Ufficio scolastico', 'scuola@mazze.example.it', `${server.url}/login/mazze`]) expect(text).toContain(s);
		const codes = [...text.matchAll(/\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/g)].map((m) => m[0]);
		expect(codes).toHaveLength(2);
		expect(codes).not.toContain('MZZ7-K4PQ-2RTA');

		const giovanni = testClient(server.url);
		const newcomer = { tenantSlug: 'mazze', givenName: 'Giovanni', familyName: 'Ferrari', codiceFiscale: 'FRRGNN82H15L219L', email: 'giovanni.ferrari@example.com', password: 'Refezione-Mazzè-42', privacyAccepted: true as const };
		await giovanni.trpc.auth.register.mutate(newcomer);
		const mail = await server.smtp.waitFor(newcomer.email, (m) => m.subject.includes('Conferma'));
		await giovanni.trpc.auth.verifyEmail.mutate({ token: linkIn(mail, '/verifica').searchParams.get('token')! });
		await giovanni.trpc.auth.login.mutate({ tenantSlug: 'mazze', email: newcomer.email, password: newcomer.password });
		// The demo's printed code stopped working with the new letter.
		expect((await failure(giovanni.trpc.guardian.activate.mutate({ code: 'MZZ7-K4PQ-2RTA' }))).message).toBeTruthy();
		for (const code of codes) await giovanni.trpc.guardian.activate.mutate({ code });
		expect((await giovanni.trpc.guardian.consumers.query()).map((c) => c.givenName).sort()).toEqual(['Anna', 'Giulia']);

		// Both are linked now: a batch without the tick leaves them out; Maria's two are linked too.
		const nothing = await postLetters(ufficio, { consumerId: String(created.consumerId) });
		expect(nothing.status).toBe(400);
		expect(await nothing.text()).toContain('già un genitore collegato');
		expect(sqlite.prepare("SELECT count(*) n FROM audit_log WHERE action = 'enrolment.activation_code'").get()).toEqual({ n: 2 });
	});

	it('prints a batch for a class, one family per page, and for school staff only their school', async () => {
		const terzaB = one("SELECT id FROM school_classes WHERE name = '3ª B'");
		const batch = await postLetters(ufficio, { schoolClassId: String(terzaB), includeLinked: '1' });
		expect(batch.status).toBe(200);
		const pages = pdfPages(new Uint8Array(await batch.arrayBuffer()));
		expect(pages.map((p) => [p.includes('Maria Rossi'), p.includes('Luca Rossi'), p.includes('Sofia Rossi')])).toEqual([[true, true, false]]);
		const own = await postLetters(scuola, { includeLinked: '1' });
		expect(own.status).toBe(200);
		const text = pdfText(new Uint8Array(await own.arrayBuffer()));
		expect([text.includes('Sofia Rossi'), text.includes('Luca Rossi'), text.includes('Anna Ferrari')]).toEqual([true, false, false]);
	});

	it('moves class and ends an enrolment, audited, from the days still open', async () => {
		const moved = await ufficio.trpc.officeConsumers.moveClass.mutate({ consumerId: ids.luca, schoolClassId: ids.primaA });
		expect(moved.effectiveFrom).toBe('2026-11-24');
		const ended = await ufficio.trpc.officeConsumers.endEnrolment.mutate({ enrolmentId: ids.lucaEnrolment, toDate: '2026-12-22' });
		expect(ended).toMatchObject({ toDate: '2026-12-22', enrolmentStatus: 'attiva' });
		const detail = await ufficio.trpc.officeConsumers.detail.query({ consumerId: ids.luca });
		expect([detail.placement?.schoolClass, detail.enrolments[0].toDate]).toEqual(['1ª A', '2026-12-22']);
		expect(sqlite.prepare("SELECT action FROM audit_log WHERE action IN ('consumer.move_class', 'enrolment.end') ORDER BY id").all()).toEqual([{ action: 'consumer.move_class' }, { action: 'enrolment.end' }]);
	});
});
