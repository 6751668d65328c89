import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { auditLog, consumers, dayCloses, enrolments, schools } from '../../db/schema.js';
import { fixtureOf, NOV_2026, seededDb, type TestClock } from '../../meals/test-fixture.js';
import { codiceFiscaleCheckChar } from '../../../src/lib/shared/codice-fiscale.js';
import { activateWithCode } from '../activation.js';
import { issueLetters } from '../letters/issue.js';
import { guardiansOf } from '../../payments/alerts.js';
import { createConsumer, endEnrolment, moveClass, regenerateCode, updateConsumer } from './changes.js';
import { consumerDetail, openDays } from './detail.js';
import { listConsumers } from './list.js';
import { officeActorOf, type OfficeActor } from './reach.js';

let db: Db;
let clock: TestClock;
let f: ReturnType<typeof fixtureOf>;
let operator: OfficeActor;
let staff: OfficeActor;

const GIULIA = { codiceFiscale: 'VRDGLI20A41E379X', givenName: 'Giulia', familyName: 'Verdi', birthDate: '2020-01-01' };
const APPLICANT = { applicantFiscalCode: 'FRRGNN82H15L219L', applicantName: 'Giovanni Ferrari', applicantEmail: 'giovanni.ferrari@example.com' };
const open = () => openDays(db, clock, f.scope, f.mazze);
const audits = (action: string) => db.select().from(auditLog).where(eq(auditLog.action, action)).all();

function newPupil(actor: OfficeActor, over: Record<string, unknown> = {}) {
	const band = db.select().from(enrolments).where(eq(enrolments.consumerId, f.anna.id)).get()!.tariffBandId;
	return createConsumer(db, clock, f.scope, actor, open(), {
		...GIULIA,
		...APPLICANT,
		schoolClassId: f.cls(f.mazze.id, 'Sezione A').id,
		serviceId: f.enrolmentOf(f.anna.id).serviceId,
		tariffBandId: band,
		fromDate: '2026-11-09',
		...over
	});
}

beforeEach(async () => {
	db = await seededDb();
	clock = fixedClock(NOV_2026);
	f = fixtureOf(db);
	// Closed up to Wednesday 4 November: Thursday 5 is the first open day.
	db.insert(dayCloses).values({ tenantId: f.mazze.id, date: '2026-11-04', closedAt: clock.now(), meals: 0, totalCents: 0 }).run();
	operator = officeActorOf(db, f.scope, { id: f.operator.id, ip: '', roles: [{ role: 'operator', schoolId: null }] });
	staff = officeActorOf(db, f.scope, { id: f.infanziaStaff.id, ip: '', roles: [{ role: 'school_staff', schoolId: f.school(f.mazze.id, 'infanzia').id }] });
});

describe('reach', () => {
	it('gives operators the Comune and school staff only their delegated school', () => {
		expect(operator.schoolIds).toBeNull();
		expect(staff.schoolIds).toEqual([f.school(f.mazze.id, 'infanzia').id]);
		const list = (actor: OfficeActor) => listConsumers(db, f.scope, actor, { page: 1, sort: 'name', dir: 'asc', q: '', schoolId: null, schoolClassId: null, unlinked: false }).rows.map((r) => r.name);
		expect(list(operator)).toEqual(['Anna Ferrari', 'Luca Rossi', 'Sofia Rossi']);
		expect(list(staff)).toEqual(['Sofia Rossi']);
		expect(consumerDetail(db, f.scope, staff, f.luca.id)).toBeNull();
		expect(consumerDetail(db, f.chiusiScope, operator, f.luca.id)).toBeNull();
	});

	it('loses the school when the Comune takes its enrolments back', () => {
		db.update(schools).set({ managedBy: 'comune' }).where(eq(schools.id, f.school(f.mazze.id, 'infanzia').id)).run();
		const again = officeActorOf(db, f.scope, { id: f.infanziaStaff.id, ip: '', roles: [{ role: 'school_staff', schoolId: f.school(f.mazze.id, 'infanzia').id }] });
		expect(again.schoolIds).toEqual([]);
		expect(consumerDetail(db, f.scope, again, f.sofia.id)).toBeNull();
	});
});

describe('listConsumers', () => {
	it('searches by name or codice fiscale, filters the unlinked, sorts and pages', () => {
		const q = { page: 1, sort: 'name' as const, dir: 'asc' as const, q: '', schoolId: null, schoolClassId: null, unlinked: false };
		expect(listConsumers(db, f.scope, operator, { ...q, q: 'rossi' }).rows.map((r) => r.name)).toEqual(['Luca Rossi', 'Sofia Rossi']);
		expect(listConsumers(db, f.scope, operator, { ...q, q: 'FRRNNA18' }).rows.map((r) => r.name)).toEqual(['Anna Ferrari']);
		expect(listConsumers(db, f.scope, operator, { ...q, unlinked: true }).rows.map((r) => [r.name, r.linked])).toEqual([['Anna Ferrari', false]]);
		expect(listConsumers(db, f.scope, operator, { ...q, sort: 'cf', dir: 'desc' }).rows.map((r) => r.codiceFiscale)).toEqual(['RSSSFO21P60E379I', 'RSSLCU17E04E379I', 'FRRNNA18T45E379T']);
		const page = listConsumers(db, f.scope, operator, { ...q, page: 9 });
		expect([page.page, page.pages, page.total]).toEqual([1, 1, 3]);
	});
});

describe('listConsumers order', () => {
	it('sorts names as an Italian reader does: case and accents aside', () => {
		const rename = (id: number, familyName: string) => db.$client.prepare('UPDATE consumers SET family_name = ? WHERE id = ?').run(familyName, id);
		rename(f.luca.id, 'de Luca');
		rename(f.anna.id, 'ZANETTI');
		rename(f.sofia.id, 'Àlberti');
		const q = { page: 1, sort: 'name' as const, dir: 'asc' as const, q: '', schoolId: null, schoolClassId: null, unlinked: false };
		expect(listConsumers(db, f.scope, operator, q).rows.map((r) => r.name)).toEqual(['Sofia Àlberti', 'Luca de Luca', 'Anna ZANETTI']);
		expect(listConsumers(db, f.scope, operator, { ...q, dir: 'desc' }).rows.map((r) => r.name)).toEqual(['Anna ZANETTI', 'Luca de Luca', 'Sofia Àlberti']);
	});
});

describe('a guardian who signed in with SPID/CIE as the applicant', () => {
	it('counts as linked in the list and is named on the pupil’s page, without a code', () => {
		db.$client.prepare('DELETE FROM guardian_links WHERE consumer_id = ?').run(f.luca.id);
		const applicant = db.$client.prepare('SELECT applicant_fiscal_code FROM enrolments WHERE consumer_id = ?').pluck().get(f.luca.id);
		const q = { page: 1, sort: 'name' as const, dir: 'asc' as const, q: 'luca', schoolId: null, schoolClassId: null, unlinked: false };
		expect(listConsumers(db, f.scope, operator, q).rows.map((r) => r.linked)).toEqual([false]);
		expect(consumerDetail(db, f.scope, operator, f.luca.id)!.guardians).toEqual([]);

		db.$client.prepare('UPDATE users SET codice_fiscale = ?, fiscal_code_verified_at = 1 WHERE id = ?').run(applicant, f.maria.id);
		expect(listConsumers(db, f.scope, operator, q).rows.map((r) => r.linked)).toEqual([true]);
		expect(listConsumers(db, f.scope, operator, { ...q, unlinked: true }).rows).toEqual([]);
		expect(consumerDetail(db, f.scope, operator, f.luca.id)!.guardians).toEqual([{ name: 'Maria Rossi', linkedBy: 'spid', since: null }]);
		// Lettere prints her no new code; the alerts reach her.
		const letters = issueLetters(db, clock, f.scope, operator, '2026-11-05', { consumerId: f.luca.id, includeLinked: false });
		expect(letters.status === 'issued' ? letters.letters.flatMap((l) => l.children.map((c) => c.name)) : letters).not.toContain('Luca Rossi');
		expect(guardiansOf(db, f.mazze.id, f.luca.id).map((g) => g.givenName)).toEqual(['Maria']);
		// Linked by a code as well: named once, as linked by the code.
		db.$client
			.prepare("INSERT INTO guardian_links (tenant_id, user_id, consumer_id, enrolment_id, linked_by, created_at) SELECT tenant_id, ?, consumer_id, id, 'activation_code', 5 FROM enrolments WHERE consumer_id = ? LIMIT 1")
			.run(f.maria.id, f.luca.id);
		expect(consumerDetail(db, f.scope, operator, f.luca.id)!.guardians).toEqual([{ name: 'Maria Rossi', linkedBy: 'activation_code', since: new Date(5) }]);
		expect(guardiansOf(db, f.mazze.id, f.luca.id).map((g) => g.givenName)).toEqual(['Maria']);
	});
});

describe('listConsumers paging', () => {
	it('pages 25 at a time in the order asked', () => {
		for (let i = 0; i < 30; i++) {
			const first15 = `VRD${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[i % 26]}${i < 26 ? 'A' : 'B'}L20A41E379`;
			expect(newPupil(operator, { codiceFiscale: first15 + codiceFiscaleCheckChar(first15), givenName: `Bimbo ${String(i).padStart(2, '0')}` }).status).toBe('saved');
		}
		const q = { page: 2, sort: 'name' as const, dir: 'desc' as const, q: 'verdi', schoolId: null, schoolClassId: f.cls(f.mazze.id, 'Sezione A').id, unlinked: true };
		const second = listConsumers(db, f.scope, operator, q);
		expect([second.total, second.pages, second.page]).toEqual([30, 2, 2]);
		expect(second.rows.map((r) => r.name)).toEqual(['Bimbo 04 Verdi', 'Bimbo 03 Verdi', 'Bimbo 02 Verdi', 'Bimbo 01 Verdi', 'Bimbo 00 Verdi']);
	});
});

describe('createConsumer', () => {
	it('creates the pupil with its enrolment, audited', () => {
		const r = newPupil(operator);
		expect(r.status).toBe('saved');
		if (r.status !== 'saved') return;
		const detail = consumerDetail(db, f.scope, operator, r.consumerId)!;
		expect(detail.consumer).toMatchObject(GIULIA);
		expect(detail.placement?.schoolClass).toBe('Sezione A');
		expect(detail.enrolments).toMatchObject([{ status: 'attiva', fromDate: '2026-11-09', toDate: null, ...APPLICANT }]);
		expect(audits('consumer.create')).toHaveLength(1);
	});

	it('refuses with the field: a known codice fiscale, a closed day, a band of another year, a class out of reach', () => {
		expect(newPupil(operator, { codiceFiscale: 'RSSLCU17E04E379I' })).toMatchObject({ status: 'rejected', field: 'codiceFiscale' });
		expect(newPupil(operator, { fromDate: '2026-11-04' })).toMatchObject({ status: 'rejected', field: 'fromDate', message: 'Dal: non prima del 05/11/2026, i giorni precedenti sono già chiusi' });
		expect(newPupil(operator, { fromDate: '2027-07-01' })).toMatchObject({ status: 'rejected', field: 'fromDate' });
		const chiusiBand = db.select().from(enrolments).where(eq(enrolments.consumerId, f.tommaso.id)).get()!.tariffBandId;
		expect(newPupil(operator, { tariffBandId: chiusiBand })).toMatchObject({ status: 'rejected', field: 'tariffBandId' });
		expect(newPupil(staff, { schoolClassId: f.cls(f.mazze.id, '3ª B').id })).toMatchObject({ status: 'rejected', field: 'schoolClassId' });
		expect(newPupil(operator, { schoolClassId: f.cls(f.chiusi.id, '2ª A').id })).toMatchObject({ status: 'rejected', field: 'schoolClassId' });
		expect(db.select().from(consumers).where(eq(consumers.codiceFiscale, GIULIA.codiceFiscale)).all()).toEqual([]);
		expect(audits('consumer.create')).toEqual([]);
	});

	it('lets school staff enrol in their own school', () => {
		expect(newPupil(staff).status).toBe('saved');
	});
});

describe('updateConsumer and moveClass', () => {
	it('edits personal data; a codice fiscale of another pupil is refused', () => {
		expect(updateConsumer(db, clock, f.scope, operator, f.luca.id, { codiceFiscale: 'RSSLCU17E04E379I', givenName: 'Luca Maria', familyName: 'Rossi', birthDate: null }).status).toBe('saved');
		expect(consumerDetail(db, f.scope, operator, f.luca.id)!.consumer).toMatchObject({ givenName: 'Luca Maria', birthDate: null });
		expect(updateConsumer(db, clock, f.scope, operator, f.luca.id, { codiceFiscale: 'FRRNNA18T45E379T', givenName: 'L', familyName: 'R', birthDate: null })).toMatchObject({ field: 'codiceFiscale' });
		expect(updateConsumer(db, clock, f.chiusiScope, operator, f.luca.id, { ...GIULIA })).toMatchObject({ code: 'NOT_FOUND' });
		expect(audits('consumer.update')).toHaveLength(1);
	});

	it('moves a pupil from the first open day; not into a class out of reach', () => {
		const r = moveClass(db, clock, f.scope, operator, open(), f.luca.id, f.cls(f.mazze.id, '1ª A').id);
		expect(r).toMatchObject({ status: 'saved', effectiveFrom: '2026-11-05' });
		expect(consumerDetail(db, f.scope, operator, f.luca.id)!.placement?.schoolClass).toBe('1ª A');
		expect(moveClass(db, clock, f.scope, staff, open(), f.sofia.id, f.cls(f.mazze.id, '1ª A').id)).toMatchObject({ field: 'schoolClassId' });
		expect(moveClass(db, clock, f.scope, staff, open(), f.luca.id, f.cls(f.mazze.id, 'Sezione A').id)).toMatchObject({ code: 'NOT_FOUND' });
		expect(audits('consumer.move_class')).toHaveLength(1);
	});
});

describe('endEnrolment', () => {
	it('never before the last closed day; before the first open day it is cessata, later it stays active until then', () => {
		const id = f.enrolmentOf(f.luca.id).id;
		expect(endEnrolment(db, clock, f.scope, operator, open(), id, '2026-11-03')).toMatchObject({ status: 'rejected', field: 'toDate' });
		expect(endEnrolment(db, clock, f.scope, operator, open(), id, '2026-12-22')).toMatchObject({ status: 'saved', enrolmentStatus: 'attiva', toDate: '2026-12-22' });
		expect(endEnrolment(db, clock, f.scope, operator, open(), id, '2026-11-04')).toMatchObject({ status: 'saved', enrolmentStatus: 'cessata' });
		expect(endEnrolment(db, clock, f.scope, operator, open(), id, '2026-12-01')).toMatchObject({ status: 'rejected', message: 'L’iscrizione è già terminata.' });
		expect(endEnrolment(db, clock, f.chiusiScope, operator, open(), f.enrolmentOf(f.anna.id).id, '2026-12-01')).toMatchObject({ code: 'NOT_FOUND' });
		expect(audits('enrolment.end')).toHaveLength(2);
	});
});

describe('activation codes and letters', () => {
	// The applicant's fiscal code is what the code checks; any existing user row carries it here.
	const giovanni = () => ({ id: f.maria.id, codiceFiscale: 'FRRGNN82H15L219L' });

	it('a new code works for the applicant and the old one stops working', () => {
		const id = f.enrolmentOf(f.anna.id).id;
		const r = regenerateCode(db, clock, f.scope, operator, id);
		expect(r.status).toBe('saved');
		if (r.status !== 'saved') return;
		expect(activateWithCode(db, clock, f.scope, giovanni(), 'MZZ7-K4PQ-2RTA')).toEqual({ status: 'invalid_code' });
		expect(regenerateCode(db, clock, f.chiusiScope, operator, id)).toMatchObject({ code: 'NOT_FOUND' });
		expect(regenerateCode(db, clock, f.scope, staff, id)).toMatchObject({ code: 'NOT_FOUND' });
		expect(audits('enrolment.activation_code').map((a) => JSON.parse(a.details))).toEqual([{ via: 'ufficio' }]);
	});

	it('groups a family on one letter and leaves out the linked ones unless asked', () => {
		expect(issueLetters(db, clock, f.scope, operator, '2026-11-05', { consumerId: f.luca.id, includeLinked: false })).toMatchObject({ status: 'rejected', code: 'NOTHING_TO_PRINT' });
		const family = issueLetters(db, clock, f.scope, operator, '2026-11-05', { consumerId: f.luca.id, includeLinked: true });
		expect(family.status).toBe('issued');
		if (family.status !== 'issued') return;
		expect(family.letters.map((l) => [l.applicantName, l.children.map((c) => c.name)])).toEqual([['Maria Rossi', ['Luca Rossi', 'Sofia Rossi']]]);
		const all = issueLetters(db, clock, f.scope, operator, '2026-11-05', { includeLinked: false });
		expect(all).toMatchObject({ status: 'issued', skippedLinked: 2, letters: [{ applicantName: 'Giovanni Ferrari', children: [{ name: 'Anna Ferrari', schoolClass: '1ª A' }] }] });
		if (all.status !== 'issued') return;
		expect(activateWithCode(db, clock, f.scope, giovanni(), all.letters[0].children[0].code)).toMatchObject({ status: 'linked', consumerId: f.anna.id });
	});

	it('keeps to the reach: another Comune’s pupil or class is NOT_FOUND, school staff print only their school', () => {
		expect(issueLetters(db, clock, f.chiusiScope, operator, '2026-11-05', { consumerId: f.anna.id, includeLinked: true })).toMatchObject({ code: 'NOT_FOUND' });
		expect(issueLetters(db, clock, f.scope, operator, '2026-11-05', { schoolClassId: f.cls(f.chiusi.id, '2ª A').id, includeLinked: true })).toMatchObject({ code: 'NOT_FOUND' });
		const mine = issueLetters(db, clock, f.scope, staff, '2026-11-05', { includeLinked: true });
		expect(mine.status === 'issued' && mine.letters.flatMap((l) => l.children.map((c) => c.name))).toEqual(['Sofia Rossi']);
	});
});
