import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { fixedClock } from '../clock.js';
import { auditLog, memberships, schoolClasses, schools, schoolYears } from '../db/schema.js';
import { tenantScope } from '../db/tenant-scope.js';
import { seededDb, fixtureOf, NOV_2026 } from '../meals/test-fixture.js';
import { userRoles } from '../auth/accounts.js';
import { createSchoolYear, updateSchoolYear } from './school-years.js';
import { createSchool, createSchoolClass, renameSchoolClass, updateSchool } from './schools.js';
import { setArchived } from './archive.js';
import { enrolmentOptions } from '../consumers/office/detail.js';
import { delegateSchool } from './delegation.js';

const actor = { userId: 'ufficio', ip: '127.0.0.1' };

describe('school years', () => {
	it('takes a year that touches no other, and refuses an overlap or a label twice', async () => {
		const db = await seededDb();
		const clock = fixedClock(NOV_2026);
		const { mazze } = fixtureOf(db);
		const scope = tenantScope(mazze.id);
		const next = createSchoolYear(db, clock, scope, actor, { label: '2027/28', firstDay: '2027-09-13', lastDay: '2028-06-09' });
		expect(next.status).toBe('saved');
		expect(createSchoolYear(db, clock, scope, actor, { label: '2028/29', firstDay: '2028-06-09', lastDay: '2029-06-08' })).toMatchObject({
			status: 'rejected',
			fieldErrors: { firstDay: 'Le date si sovrappongono all’anno scolastico 2027/28' }
		});
		expect(createSchoolYear(db, clock, scope, actor, { label: '2026/27', firstDay: '2030-09-01', lastDay: '2031-06-01' })).toMatchObject({ status: 'rejected', fieldErrors: { label: expect.stringMatching(/esiste già/) } });
		// Its own dates are no overlap when it is edited; another Comune's years are none of its business.
		expect(updateSchoolYear(db, clock, scope, actor, { schoolYearId: next.status === 'saved' ? next.value : 0, label: '2027/28', firstDay: '2027-09-14', lastDay: '2028-06-09' }).status).toBe('saved');
		const chiusiYear = fixtureOf(db).year(fixtureOf(db).chiusi.id);
		expect(updateSchoolYear(db, clock, scope, actor, { schoolYearId: chiusiYear.id, label: '2035/36', firstDay: '2035-09-01', lastDay: '2036-06-01' })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(db.select().from(schoolYears).where(eq(schoolYears.id, chiusiYear.id)).get()!.label).toBe(chiusiYear.label);
		expect(db.select().from(auditLog).where(eq(auditLog.entity, 'school_year')).all().map((a) => a.action)).toEqual(['school_year.create', 'school_year.update']);
	});
});

describe('schools and classes', () => {
	it('creates, edits and archives a school; an archived one takes no new class and leaves the active list', async () => {
		const db = await seededDb();
		const clock = fixedClock(NOV_2026);
		const { mazze, year } = fixtureOf(db);
		const scope = tenantScope(mazze.id);
		const created = createSchool(db, clock, scope, actor, { name: 'Primaria di Tonengo', level: 'primaria', managedBy: 'comune', address: 'Via Roma 1' });
		const id = created.status === 'saved' ? created.value : 0;
		expect(updateSchool(db, clock, scope, actor, { schoolId: id, name: 'Primaria "Tonengo"', level: 'primaria', managedBy: 'comune', address: '' }).status).toBe('saved');
		const yearId = year(mazze.id).id;
		const cls = createSchoolClass(db, clock, scope, actor, { schoolId: id, schoolYearId: yearId, name: '1ª A' });
		expect(cls.status).toBe('saved');
		expect(createSchoolClass(db, clock, scope, actor, { schoolId: id, schoolYearId: yearId, name: '1ª a' })).toMatchObject({ status: 'rejected', fieldErrors: { name: expect.stringMatching(/esiste già/) } });
		expect(renameSchoolClass(db, clock, scope, actor, cls.status === 'saved' ? cls.value : 0, '1ª B').status).toBe('saved');
		expect(setArchived(db, clock, scope, actor, { kind: 'school', id, archived: true, today: '2026-11-02' }).status).toBe('saved');
		expect(db.select().from(schools).where(eq(schools.id, id)).get()!.archivedAt).toEqual(clock.now());
		expect(createSchoolClass(db, clock, scope, actor, { schoolId: id, schoolYearId: yearId, name: '2ª A' })).toMatchObject({ status: 'rejected', fieldErrors: { schoolId: expect.stringMatching(/archiviata/) } });
		expect(db.select().from(schoolClasses).where(eq(schoolClasses.schoolId, id)).all().map((c) => c.name)).toEqual(['1ª B']);
		expect(db.select().from(auditLog).where(eq(auditLog.tenantId, mazze.id)).all().map((a) => a.action)).toEqual(['school.create', 'school.update', 'school_class.create', 'school_class.rename', 'school.archive']);
	});

	it('keeps a school with pupils still enrolled: archiving it would stop their meals', async () => {
		const db = await seededDb();
		const clock = fixedClock(NOV_2026);
		const { mazze, school } = fixtureOf(db);
		const primaria = school(mazze.id, 'primaria');
		expect(setArchived(db, clock, tenantScope(mazze.id), actor, { kind: 'school', id: primaria.id, archived: true, today: '2026-11-02' })).toEqual({
			status: 'rejected',
			code: 'INVALID',
			message: 'Scuola primaria "Gianni Rodari" ha ancora 2 alunni iscritti: sposta gli alunni o chiudi le iscrizioni prima di archiviarla.'
		});
		expect(db.select().from(schools).where(eq(schools.id, primaria.id)).get()!.archivedAt).toBeNull();
	});

	it('archives an empty class and school year; a class with pupils stays; an archived year takes no class and its classes come back only with it', async () => {
		const db = await seededDb();
		const clock = fixedClock(NOV_2026);
		const { mazze, school, year } = fixtureOf(db);
		const scope = tenantScope(mazze.id);
		const today = '2026-11-02';
		const primaria = school(mazze.id, 'primaria');
		const occupied = db.select().from(schoolClasses).where(eq(schoolClasses.schoolId, primaria.id)).all()[0]!;
		expect(setArchived(db, clock, scope, actor, { kind: 'schoolClass', id: occupied.id, archived: true, today })).toMatchObject({
			status: 'rejected',
			message: expect.stringMatching(/^La classe .+ ha ancora (un alunno iscritto|\d alunni iscritti): spostali in un’altra classe/)
		});
		expect(setArchived(db, clock, scope, actor, { kind: 'schoolYear', id: year(mazze.id).id, archived: true, today })).toMatchObject({ status: 'rejected', message: expect.stringMatching(/^L’anno scolastico 2026\/27 ha ancora \d alunni iscritti/) });

		const empty = createSchoolClass(db, clock, scope, actor, { schoolId: primaria.id, schoolYearId: year(mazze.id).id, name: '5ª Z' });
		const emptyId = empty.status === 'saved' ? empty.value : 0;
		const offered = () => enrolmentOptions(db, scope, { userId: 'ufficio', ip: '127.0.0.1', schoolIds: null }).classes.map((c) => c.name);
		expect(offered()).toContain('5ª Z');
		expect(setArchived(db, clock, scope, actor, { kind: 'schoolClass', id: emptyId, archived: true, today }).status).toBe('saved');
		expect(offered()).not.toContain('5ª Z');

		const next = createSchoolYear(db, clock, scope, actor, { label: '2027/28', firstDay: '2027-09-13', lastDay: '2028-06-09' });
		const nextId = next.status === 'saved' ? next.value : 0;
		const nextClass = createSchoolClass(db, clock, scope, actor, { schoolId: primaria.id, schoolYearId: nextId, name: '1ª A' });
		const nextClassId = nextClass.status === 'saved' ? nextClass.value : 0;
		expect(setArchived(db, clock, scope, actor, { kind: 'schoolClass', id: nextClassId, archived: true, today }).status).toBe('saved');
		expect(setArchived(db, clock, scope, actor, { kind: 'schoolYear', id: nextId, archived: true, today }).status).toBe('saved');
		expect(createSchoolClass(db, clock, scope, actor, { schoolId: primaria.id, schoolYearId: nextId, name: '1ª B' })).toMatchObject({ status: 'rejected', fieldErrors: { schoolYearId: 'Anno scolastico 2027/28 archiviato: ripristinalo prima di aggiungere classi' } });
		expect(setArchived(db, clock, scope, actor, { kind: 'schoolClass', id: nextClassId, archived: false, today })).toMatchObject({ status: 'rejected', message: 'L’anno scolastico 2027/28 è archiviato: ripristina prima l’anno.' });
		expect(setArchived(db, clock, scope, actor, { kind: 'schoolYear', id: nextId, archived: false, today }).status).toBe('saved');
		expect(setArchived(db, clock, scope, actor, { kind: 'schoolClass', id: nextClassId, archived: false, today }).status).toBe('saved');
		expect(db.select().from(schoolClasses).where(eq(schoolClasses.id, occupied.id)).get()!.archivedAt).toBeNull();
		expect(db.select().from(auditLog).where(eq(auditLog.tenantId, mazze.id)).all().map((a) => a.action).filter((a) => /archive|restore/.test(a))).toEqual([
			'school_class.archive',
			'school_class.archive',
			'school_year.archive',
			'school_year.restore',
			'school_class.restore'
		]);
	});

	it('never touches another Comune’s school', async () => {
		const db = await seededDb();
		const clock = fixedClock(NOV_2026);
		const { mazze, chiusi, school, year } = fixtureOf(db);
		const scope = tenantScope(mazze.id);
		const theirs = school(chiusi.id, 'primaria');
		expect(updateSchool(db, clock, scope, actor, { schoolId: theirs.id, name: 'x', level: 'primaria', managedBy: 'comune', address: '' })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(setArchived(db, clock, scope, actor, { kind: 'school', id: theirs.id, archived: true, today: '2026-11-02' })).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		expect(createSchoolClass(db, clock, scope, actor, { schoolId: theirs.id, schoolYearId: year(mazze.id).id, name: '5ª A' })).toMatchObject({ code: 'NOT_FOUND' });
		expect(delegateSchool(db, clock, scope, actor, { schoolId: theirs.id, givenName: 'A', familyName: 'B', email: 'a@b.it' })).toMatchObject({ code: 'NOT_FOUND' });
		expect(db.select().from(schools).where(eq(schools.id, theirs.id)).get()).toEqual(theirs);
	});

	it('delegates a school: an invited school_staff of that school only, and the school manages its enrolments', async () => {
		const db = await seededDb();
		const clock = fixedClock(NOV_2026);
		const { mazze, school } = fixtureOf(db);
		const scope = tenantScope(mazze.id);
		const primaria = school(mazze.id, 'primaria');
		const r = delegateSchool(db, clock, scope, actor, { schoolId: primaria.id, givenName: 'Carla', familyName: 'Gallo', email: ' Segreteria@Primaria.example.it ' });
		if (r.status !== 'saved') throw new Error(r.message);
		expect(r.value.user).toMatchObject({ email: 'segreteria@primaria.example.it', tenantId: mazze.id, emailVerifiedAt: null });
		expect(userRoles(db, r.value.user.id)).toEqual([{ role: 'school_staff', schoolId: primaria.id }]);
		expect(db.select().from(schools).where(eq(schools.id, primaria.id)).get()!.managedBy).toBe('scuola');
		// Again: a fresh link, no second membership. A parent's address is refused.
		expect(delegateSchool(db, clock, scope, actor, { schoolId: primaria.id, givenName: 'Carla', familyName: 'Gallo', email: 'segreteria@primaria.example.it' }).status).toBe('saved');
		expect(db.select().from(memberships).where(and(eq(memberships.userId, r.value.user.id))).all()).toHaveLength(1);
		expect(delegateSchool(db, clock, scope, actor, { schoolId: primaria.id, givenName: 'Maria', familyName: 'Rossi', email: 'maria.rossi@example.com' })).toMatchObject({ status: 'rejected', fieldErrors: { email: expect.stringMatching(/già un account/) } });
	});
});
