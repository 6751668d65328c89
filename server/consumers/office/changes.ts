import { eq, ne } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { consumers, enrolments, schoolYears, services, tariffBands } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import { recordAudit } from '../../audit/log.js';
import { addDays, type IsoDate } from '../../calendar/dates.js';
import { formatDateIt } from '../../../src/lib/shared/dates.js';
import { generateActivationCode, hashActivationCode } from '../activation.js';
import { classInReach, consumerInReach, NOT_FOUND, type OfficeActor } from './reach.js';

/** The open days of the Comune at the time of the change (see detail.ts openDays). */
export interface OpenDays {
	firstOpenDay: IsoDate;
	lastClosedDay: IsoDate | null;
}

export type Rejected = { status: 'rejected'; code: 'NOT_FOUND' | 'INVALID'; message: string; field?: string };
const invalid = (message: string, field?: string): Rejected => ({ status: 'rejected', code: 'INVALID', message, field });

export interface PersonalData {
	codiceFiscale: string;
	givenName: string;
	familyName: string;
	birthDate: IsoDate | null;
}

export interface NewConsumer extends PersonalData {
	schoolClassId: number;
	serviceId: number;
	tariffBandId: number;
	applicantFiscalCode: string;
	applicantName: string;
	applicantEmail: string;
	fromDate: IsoDate;
}

const DUPLICATE_CF = 'Codice fiscale: c’è già un alunno con questo codice nel Comune';

function cfTaken(db: Pick<Db, 'select'>, scope: TenantScope, cf: string, exceptId?: number): boolean {
	return !!db
		.select({ id: consumers.id })
		.from(consumers)
		.where(scope.where(consumers, eq(consumers.codiceFiscale, cf), exceptId ? ne(consumers.id, exceptId) : undefined))
		.get();
}

/**
 * A new pupil with the enrolment of the application. Its activation code is drawn and only its
 * hash kept: the family gets a code from the letter, which issues a fresh one.
 */
export function createConsumer(db: Db, clock: Clock, scope: TenantScope, actor: OfficeActor, open: OpenDays, input: NewConsumer) {
	return db.transaction((tx) => {
		const cls = classInReach(tx, scope, actor, input.schoolClassId);
		if (!cls) return invalid('Classe: scegli una classe delle tue scuole', 'schoolClassId');
		const year = tx.select().from(schoolYears).where(scope.where(schoolYears, eq(schoolYears.id, cls.schoolYearId))).get()!;
		if (!tx.select({ id: services.id }).from(services).where(scope.where(services, eq(services.id, input.serviceId))).get()) return invalid('Servizio: scegli un servizio del Comune', 'serviceId');
		const band = tx.select().from(tariffBands).where(scope.where(tariffBands, eq(tariffBands.id, input.tariffBandId))).get();
		if (!band || band.schoolYearId !== year.id) return invalid(`Fascia tariffaria: scegli una fascia dell’anno ${year.label}`, 'tariffBandId');
		if (input.fromDate < open.firstOpenDay) return invalid(`Dal: non prima del ${formatDateIt(open.firstOpenDay)}, i giorni precedenti sono già chiusi`, 'fromDate');
		if (input.fromDate < year.firstDay || input.fromDate > year.lastDay) return invalid(`Dal: una data dell’anno scolastico ${year.label}`, 'fromDate');
		if (cfTaken(tx, scope, input.codiceFiscale)) return invalid(DUPLICATE_CF, 'codiceFiscale');
		const now = clock.now();
		const consumer = tx
			.insert(consumers)
			.values({ tenantId: scope.tenantId, codiceFiscale: input.codiceFiscale, givenName: input.givenName, familyName: input.familyName, birthDate: input.birthDate, schoolClassId: cls.id, createdAt: now })
			.returning({ id: consumers.id })
			.get();
		const enrolment = tx
			.insert(enrolments)
			.values({
				tenantId: scope.tenantId,
				consumerId: consumer.id,
				serviceId: input.serviceId,
				schoolYearId: year.id,
				tariffBandId: band.id,
				applicantFiscalCode: input.applicantFiscalCode,
				applicantName: input.applicantName,
				applicantEmail: input.applicantEmail,
				activationCodeHash: hashActivationCode(generateActivationCode()),
				status: 'attiva',
				fromDate: input.fromDate,
				createdAt: now
			})
			.returning({ id: enrolments.id })
			.get();
		recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'consumer.create', entity: 'consumer', entityId: consumer.id, details: { ...input, enrolmentId: enrolment.id }, ip: actor.ip });
		return { status: 'saved', consumerId: consumer.id, enrolmentId: enrolment.id } as const;
	});
}

export function updateConsumer(db: Db, clock: Clock, scope: TenantScope, actor: OfficeActor, consumerId: number, data: PersonalData) {
	return db.transaction((tx) => {
		const before = consumerInReach(tx, scope, actor, consumerId);
		if (!before) return NOT_FOUND;
		if (cfTaken(tx, scope, data.codiceFiscale, consumerId)) return invalid(DUPLICATE_CF, 'codiceFiscale');
		tx.update(consumers).set(data).where(scope.where(consumers, eq(consumers.id, consumerId))).run();
		const from = { codiceFiscale: before.codiceFiscale, givenName: before.givenName, familyName: before.familyName, birthDate: before.birthDate };
		recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'consumer.update', entity: 'consumer', entityId: consumerId, details: { from, to: data }, ip: actor.ip });
		return { status: 'saved', consumerId } as const;
	});
}

/**
 * The class is one current placement (consumers.schoolClassId), not dated: a move counts from the
 * first day not yet closed. Closed days keep the class they were cooked for (meals.schoolClassId).
 */
export function moveClass(db: Db, clock: Clock, scope: TenantScope, actor: OfficeActor, open: OpenDays, consumerId: number, schoolClassId: number) {
	return db.transaction((tx) => {
		const consumer = consumerInReach(tx, scope, actor, consumerId);
		if (!consumer) return NOT_FOUND;
		const cls = classInReach(tx, scope, actor, schoolClassId);
		if (!cls) return invalid('Nuova classe: scegli una classe delle tue scuole', 'schoolClassId');
		if (cls.id === consumer.schoolClassId) return invalid('Nuova classe: l’alunno è già in questa classe', 'schoolClassId');
		const years = tx.select({ year: enrolments.schoolYearId }).from(enrolments).where(scope.where(enrolments, eq(enrolments.consumerId, consumerId), ne(enrolments.status, 'cessata'))).all();
		if (years.length && !years.some((y) => y.year === cls.schoolYearId)) return invalid('Nuova classe: è di un altro anno scolastico rispetto alle iscrizioni', 'schoolClassId');
		tx.update(consumers).set({ schoolClassId: cls.id }).where(scope.where(consumers, eq(consumers.id, consumerId))).run();
		recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'consumer.move_class', entity: 'consumer', entityId: consumerId, details: { from: consumer.schoolClassId, to: cls.id, effectiveFrom: open.firstOpenDay }, ip: actor.ip });
		return { status: 'saved', consumerId, effectiveFrom: open.firstOpenDay } as const;
	});
}

/** The enrolment, when its pupil is in the actor's reach. */
function enrolmentInReach(db: Pick<Db, 'select'>, scope: TenantScope, actor: OfficeActor, enrolmentId: number) {
	const enrolment = db.select().from(enrolments).where(scope.where(enrolments, eq(enrolments.id, enrolmentId))).get();
	return enrolment && consumerInReach(db, scope, actor, enrolment.consumerId) ? enrolment : null;
}

/**
 * The last day with the service. Never before the last closed day (its meals are final: that is
 * what corrections are for). An end before the first open day leaves nothing to eat: cessata.
 */
export function endEnrolment(db: Db, clock: Clock, scope: TenantScope, actor: OfficeActor, open: OpenDays, enrolmentId: number, toDate: IsoDate) {
	return db.transaction((tx) => {
		const enrolment = enrolmentInReach(tx, scope, actor, enrolmentId);
		if (!enrolment) return { ...NOT_FOUND, message: 'Iscrizione non trovata in questo Comune.' };
		if (enrolment.status === 'cessata') return invalid('L’iscrizione è già terminata.');
		if (open.lastClosedDay && toDate < open.lastClosedDay) return invalid(`Ultimo giorno: non prima del ${formatDateIt(open.lastClosedDay)}, l’ultimo giorno già chiuso (per i giorni chiusi usa le correzioni)`, 'toDate');
		if (toDate < addDays(enrolment.fromDate, -1)) return invalid(`Ultimo giorno: l’iscrizione inizia il ${formatDateIt(enrolment.fromDate)}`, 'toDate');
		const status = toDate < open.firstOpenDay ? 'cessata' : enrolment.status;
		tx.update(enrolments).set({ toDate, status }).where(scope.where(enrolments, eq(enrolments.id, enrolmentId))).run();
		recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'enrolment.end', entity: 'enrolment', entityId: enrolmentId, details: { from: enrolment.toDate, to: toDate, status }, ip: actor.ip });
		return { status: 'saved', enrolmentId, toDate, enrolmentStatus: status } as const;
	});
}

/** Inside the caller's transaction: a fresh code for one enrolment; the old one stops working, links made stay. */
export function issueActivationCode(tx: Pick<Db, 'update' | 'insert'>, clock: Clock, scope: TenantScope, actor: OfficeActor, enrolmentId: number, via: 'ufficio' | 'lettera'): string {
	const code = generateActivationCode();
	tx.update(enrolments).set({ activationCodeHash: hashActivationCode(code) }).where(scope.where(enrolments, eq(enrolments.id, enrolmentId))).run();
	recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'enrolment.activation_code', entity: 'enrolment', entityId: enrolmentId, details: { via }, ip: actor.ip });
	return code;
}

export function regenerateCode(db: Db, clock: Clock, scope: TenantScope, actor: OfficeActor, enrolmentId: number) {
	return db.transaction((tx) => {
		const enrolment = enrolmentInReach(tx, scope, actor, enrolmentId);
		if (!enrolment) return { ...NOT_FOUND, message: 'Iscrizione non trovata in questo Comune.' };
		return { status: 'saved', enrolmentId, code: issueActivationCode(tx, clock, scope, actor, enrolmentId, 'ufficio') } as const;
	});
}
