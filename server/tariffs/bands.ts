import { and, count, eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { enrolments, schoolYears, tariffBands, tariffPrices } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { recordAudit } from '../audit/log.js';
import type { Actor } from '../users/invitations.js';
import { invalid, notFound, saved, type SetupResult } from '../schools/outcome.js';
import { lastClosedDay } from '../meals/day-close.js';
import { addDays, formatDateIt } from '../../src/lib/shared/dates.js';
import type { PriceChangeInput, SiblingDiscountInput, TariffBandInput, UpdateTariffBandInput } from '../../src/lib/shared/tariff-schemas.js';
import { pricesOn } from './price.js';

/*
 * Tariff bands of a school year and their prices. A closed day's meals keep the price they were
 * closed at, so a price is only ever changed from a day after the Comune's last closed day.
 */

const audit = (db: Db, clock: Clock, scope: TenantScope, actor: Actor, action: string, entity: string, entityId: number, details: Record<string, unknown>) =>
	recordAudit(db, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action, entity, entityId, details, ip: actor.ip });

/** A refusal of a button (delete, withdraw), not of a field. */
const refused = (message: string): SetupResult<never> => ({ status: 'rejected', code: 'INVALID', message });

const yearOf = (db: Db, scope: TenantScope, id: number) => db.select().from(schoolYears).where(scope.where(schoolYears, eq(schoolYears.id, id))).get();
const bandOf = (db: Db, scope: TenantScope, id: number) => db.select().from(tariffBands).where(scope.where(tariffBands, eq(tariffBands.id, id))).get();

export function createTariffBand(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: TariffBandInput): SetupResult<number> {
	return db.transaction(() => {
		if (!yearOf(db, scope, input.schoolYearId)) return notFound('Anno scolastico non trovato.');
		const id = db
			.insert(tariffBands)
			.values({ tenantId: scope.tenantId, schoolYearId: input.schoolYearId, name: input.name, mealPriceCents: input.price, createdAt: clock.now() })
			.returning({ id: tariffBands.id })
			.get().id;
		audit(db, clock, scope, actor, 'tariffs.band.create', 'tariff_band', id, { after: { schoolYearId: input.schoolYearId, name: input.name, mealPriceCents: input.price } });
		return saved(id);
	});
}

/** The band's own price holds from the first day of the year: once a day of it is closed, it is history. */
export function updateTariffBand(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: UpdateTariffBandInput): SetupResult<number> {
	return db.transaction(() => {
		const before = bandOf(db, scope, input.tariffBandId);
		if (!before) return notFound('Fascia tariffaria non trovata.');
		const year = yearOf(db, scope, before.schoolYearId)!;
		const last = lastClosedDay(db, scope.tenantId);
		if (input.price !== before.mealPriceCents && last !== null && last >= year.firstDay) {
			return invalid({ price: `Ci sono già giorni chiusi in questo anno scolastico: per cambiare il prezzo aggiungi un cambio di prezzo da una data dopo il ${formatDateIt(last)}.` });
		}
		db.update(tariffBands).set({ name: input.name, mealPriceCents: input.price }).where(scope.where(tariffBands, eq(tariffBands.id, before.id))).run();
		audit(db, clock, scope, actor, 'tariffs.band.update', 'tariff_band', before.id, {
			before: { name: before.name, mealPriceCents: before.mealPriceCents },
			after: { name: input.name, mealPriceCents: input.price }
		});
		return saved(before.id);
	});
}

/** A band some enrolment uses stays: the enrolments would lose their price. */
export function deleteTariffBand(db: Db, clock: Clock, scope: TenantScope, actor: Actor, tariffBandId: number): SetupResult<number> {
	return db.transaction(() => {
		const before = bandOf(db, scope, tariffBandId);
		if (!before) return notFound('Fascia tariffaria non trovata.');
		const used = db.select({ n: count() }).from(enrolments).where(scope.where(enrolments, eq(enrolments.tariffBandId, before.id))).get()!.n;
		if (used > 0) {
			return refused(`La fascia «${before.name}» è usata da ${used === 1 ? 'un’iscrizione' : `${used} iscrizioni`}: non si può eliminare. Sposta prima le iscrizioni su un’altra fascia.`);
		}
		const changes = db.select().from(tariffPrices).where(scope.where(tariffPrices, eq(tariffPrices.tariffBandId, before.id))).all();
		db.delete(tariffPrices).where(scope.where(tariffPrices, eq(tariffPrices.tariffBandId, before.id))).run();
		db.delete(tariffBands).where(scope.where(tariffBands, eq(tariffBands.id, before.id))).run();
		audit(db, clock, scope, actor, 'tariffs.band.delete', 'tariff_band', before.id, {
			before: { name: before.name, mealPriceCents: before.mealPriceCents, changes: changes.map((c) => ({ validFrom: c.validFrom, mealPriceCents: c.mealPriceCents })) }
		});
		return saved(before.id);
	});
}

function closedProblem(last: string, date: string): string {
	return `Il ${formatDateIt(date)} è già chiuso (ultima chiusura: ${formatDateIt(last)}): un cambio di prezzo vale solo dal ${formatDateIt(addDays(last, 1))} in poi, mai per i giorni già chiusi.`;
}

/** A new price from `validFrom` on; the same band and day again replaces the price of that change. */
export function addPriceChange(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: PriceChangeInput): SetupResult<number> {
	return db.transaction(() => {
		const band = bandOf(db, scope, input.tariffBandId);
		if (!band) return notFound('Fascia tariffaria non trovata.');
		const year = yearOf(db, scope, band.schoolYearId)!;
		if (input.validFrom < year.firstDay || input.validFrom > year.lastDay) {
			return invalid({ validFrom: `La data deve essere nell’anno scolastico ${year.label}, dal ${formatDateIt(year.firstDay)} al ${formatDateIt(year.lastDay)}.` });
		}
		const last = lastClosedDay(db, scope.tenantId);
		if (last !== null && input.validFrom <= last) return invalid({ validFrom: closedProblem(last, input.validFrom) });
		const beforeCents = pricesOn(db, scope.tenantId, [band.id], [input.validFrom]).get(`${band.id}:${input.validFrom}`)!.fullCents;
		const same = and(eq(tariffPrices.tariffBandId, band.id), eq(tariffPrices.validFrom, input.validFrom));
		const existing = db.select().from(tariffPrices).where(scope.where(tariffPrices, same)).get();
		let id: number;
		if (existing) {
			db.update(tariffPrices).set({ mealPriceCents: input.price, createdBy: actor.userId, createdAt: clock.now() }).where(scope.where(tariffPrices, eq(tariffPrices.id, existing.id))).run();
			id = existing.id;
		} else {
			id = db
				.insert(tariffPrices)
				.values({ tenantId: scope.tenantId, tariffBandId: band.id, validFrom: input.validFrom, mealPriceCents: input.price, createdBy: actor.userId, createdAt: clock.now() })
				.returning({ id: tariffPrices.id })
				.get().id;
		}
		audit(db, clock, scope, actor, 'tariffs.price.set', 'tariff_band', band.id, {
			band: band.name,
			validFrom: input.validFrom,
			before: { mealPriceCents: beforeCents },
			after: { mealPriceCents: input.price }
		});
		return saved(id);
	});
}

/** A change not in force yet can be withdrawn; one that priced a closed day cannot. */
export function deletePriceChange(db: Db, clock: Clock, scope: TenantScope, actor: Actor, priceChangeId: number): SetupResult<number> {
	return db.transaction(() => {
		const change = db.select().from(tariffPrices).where(scope.where(tariffPrices, eq(tariffPrices.id, priceChangeId))).get();
		if (!change) return notFound('Cambio di prezzo non trovato.');
		const last = lastClosedDay(db, scope.tenantId);
		if (last !== null && change.validFrom <= last) {
			return refused(`Il prezzo dal ${formatDateIt(change.validFrom)} ha già fatto addebitare giorni chiusi: non si può togliere. Aggiungi un nuovo cambio di prezzo da una data futura.`);
		}
		db.delete(tariffPrices).where(scope.where(tariffPrices, eq(tariffPrices.id, change.id))).run();
		audit(db, clock, scope, actor, 'tariffs.price.delete', 'tariff_band', change.tariffBandId, { validFrom: change.validFrom, before: { mealPriceCents: change.mealPriceCents }, after: null });
		return saved(change.id);
	});
}

/** The reduction counts for the days closed from now on; the days already closed keep their prices. */
export function setSiblingDiscount(db: Db, clock: Clock, scope: TenantScope, actor: Actor, input: SiblingDiscountInput): SetupResult<number> {
	return db.transaction(() => {
		const year = yearOf(db, scope, input.schoolYearId);
		if (!year) return notFound('Anno scolastico non trovato.');
		db.update(schoolYears).set({ siblingDiscountPct: input.pct }).where(scope.where(schoolYears, eq(schoolYears.id, year.id))).run();
		audit(db, clock, scope, actor, 'tariffs.sibling_discount.set', 'school_year', year.id, { before: { siblingDiscountPct: year.siblingDiscountPct }, after: { siblingDiscountPct: input.pct } });
		return saved(year.id);
	});
}
