/*
 * Fills the demo world for the simulation: a third Comune built the way seedDemo builds its two,
 * and in every Comune a few dozen pupils with guardians (one or two children each) linked to
 * them. The third Comune's avvisi fall due after 2 days, so late receipts outlive them. All ids and names come from the seed's PRNG, so a seed always makes the same world.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
	consumers, enrolments, guardianLinks, memberships, schoolCalendars, schoolClasses, schools, schoolYears, serviceGroups, services, tariffBands, tariffPrices, tenants, users
} from '../db/schema.js';
import type { Prng } from './prng.js';

const NAMES = ['Giulia', 'Marco', 'Chiara', 'Davide', 'Elena', 'Matteo', 'Sara', 'Lorenzo', 'Alice', 'Pietro', 'Giorgia', 'Nicolò'];
const SURNAMES = ['Esposito', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca', 'Costa'];

const operatorId = (tenantId: number) => `sim-operator-${tenantId}`;

export function addThirdComune(db: Db, now: Date): number {
	const year = db.select().from(schoolYears).orderBy(schoolYears.id).get()!;
	return db.transaction((tx) => {
		const t = tx.insert(tenants).values({ slug: 'borgo-simulato', name: 'Borgo Simulato', searchName: 'borgo simulato', codiceFiscaleEnte: '80000000017', paymentSettings: JSON.stringify({ avvisoDueDays: 2 }), createdAt: now }).returning().get().id;
		// A sibling reduction and a price change on 26 October: the simulation's closes price with both.
		const y = tx.insert(schoolYears).values({ tenantId: t, label: year.label, firstDay: year.firstDay, lastDay: year.lastDay, siblingDiscountPct: 25, createdAt: now }).returning().get();
		const group = tx.insert(serviceGroups).values({ tenantId: t, name: 'Refezione', createdAt: now }).returning().get();
		tx.insert(services).values({ tenantId: t, serviceGroupId: group.id, name: 'Mensa', createdAt: now }).run();
		for (const [name, price] of [['Fascia unica', 480], ['Esenzione', 0]] as const) {
			const band = tx.insert(tariffBands).values({ tenantId: t, schoolYearId: y.id, name, mealPriceCents: price, createdAt: now }).returning().get();
			if (price > 0) tx.insert(tariffPrices).values({ tenantId: t, tariffBandId: band.id, validFrom: '2026-10-26', mealPriceCents: 495, createdBy: operatorId(t), createdAt: now }).run();
		}
		for (const [name, level] of [['Scuola dell’infanzia del Borgo', 'infanzia'], ['Scuola primaria del Borgo', 'primaria']] as const) {
			const school = tx.insert(schools).values({ tenantId: t, name, level, managedBy: 'comune', createdAt: now }).returning().get();
			tx.insert(schoolCalendars).values({ tenantId: t, schoolId: school.id, schoolYearId: y.id, weekdays: '1,2,3,4,5', firstDay: y.firstDay, lastDay: y.lastDay, effectiveFrom: y.firstDay, createdAt: now }).run();
			for (const section of ['A', 'B']) tx.insert(schoolClasses).values({ tenantId: t, schoolId: school.id, schoolYearId: y.id, name: `Sezione ${section}`, createdAt: now }).run();
		}
		const operator = tx.insert(users).values({ id: operatorId(t), tenantId: t, email: 'ufficio@borgo.example.it', emailVerifiedAt: now, givenName: 'Ufficio', familyName: 'Borgo', createdAt: now }).returning().get();
		tx.insert(memberships).values({ tenantId: t, userId: operator.id, role: 'operator', createdAt: now }).run();
		return t;
	});
}

/** `pupils` children in the Comune's classes and tariff bands, each guardian with one or more of them, the applicant of their enrolments (siblings for the reduction). */
export function addFamilies(db: Db, rnd: Prng, tenantId: number, pupils: number, now: Date): void {
	const classes = db.select().from(schoolClasses).where(eq(schoolClasses.tenantId, tenantId)).orderBy(schoolClasses.id).all();
	const bands = db.select().from(tariffBands).where(eq(tariffBands.tenantId, tenantId)).orderBy(tariffBands.id).all();
	const service = db.select().from(services).where(eq(services.tenantId, tenantId)).orderBy(services.id).get()!;
	const year = db.select().from(schoolYears).where(eq(schoolYears.tenantId, tenantId)).get()!;
	db.transaction((tx) => {
		let guardian: { id: string; codiceFiscale: string | null } | null = null;
		for (let i = 0; i < pupils; i++) {
			const familyName = rnd.pick(SURNAMES);
			if (!guardian || rnd.chance(0.6)) {
				const id = `sim-guardian-${tenantId}-${i}`;
				guardian = tx.insert(users).values({ id, tenantId, email: `${id}@example.com`, emailVerifiedAt: now, givenName: rnd.pick(NAMES), familyName, codiceFiscale: `SIMGNT${String(tenantId * 1000 + i).padStart(10, '0')}`, createdAt: now }).returning().get();
				tx.insert(memberships).values({ tenantId, userId: id, role: 'guardian', createdAt: now }).run();
			}
			const cf = `SIMPUP${String(tenantId * 1000 + i).padStart(10, '0')}`;
			const consumer = tx.insert(consumers).values({ tenantId, codiceFiscale: cf, givenName: rnd.pick(NAMES), familyName, birthDate: `201${rnd.int(5, 9)}-0${rnd.int(1, 9)}-1${rnd.int(0, 9)}`, schoolClassId: rnd.pick(classes).id, createdAt: now }).returning().get();
			const enrolment = tx
				.insert(enrolments)
				.values({ tenantId, consumerId: consumer.id, serviceId: service.id, schoolYearId: year.id, tariffBandId: rnd.pick(bands).id, applicantFiscalCode: guardian.codiceFiscale!, applicantName: familyName, activationCodeHash: `sim-${cf}`, status: 'attiva', fromDate: year.firstDay, createdAt: now })
				.returning()
				.get();
			tx.insert(guardianLinks).values({ tenantId, userId: guardian.id, consumerId: consumer.id, enrolmentId: enrolment.id, linkedBy: 'operator', createdAt: now }).run();
		}
	});
}
