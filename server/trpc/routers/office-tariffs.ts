import {
	PriceChangeIdInput,
	PriceChangeInput,
	RenameServiceGroupInput,
	RenameServiceInput,
	ServiceGroupInput,
	ServiceInput,
	SiblingDiscountInput,
	TariffBandIdInput,
	TariffBandInput,
	UpdateTariffBandInput
} from '../../../src/lib/shared/tariff-schemas.js';
import { NoInput } from '../../../src/lib/shared/schemas.js';
import { todayOf } from '../../meals/cutoff.js';
import { addPriceChange, createTariffBand, deletePriceChange, deleteTariffBand, setSiblingDiscount, updateTariffBand } from '../../tariffs/bands.js';
import { tariffsOverview } from '../../tariffs/overview.js';
import { createService, createServiceGroup, renameService, renameServiceGroup } from '../../tariffs/services.js';
import { procedureFor, router, type AuthedContext } from '../init.js';
import { settledSetup } from './setup-outcome.js';

/** Prices are the ufficio's: school staff and the kitchen neither see nor change them here. */
const operatorProcedure = procedureFor('operator');

const actorOf = (ctx: AuthedContext) => ({ userId: ctx.auth.user.id, ip: ctx.edge.ip });
const done = (id: number) => ({ id });

export const officeTariffsRouter = router({
	overview: operatorProcedure.input(NoInput).query(({ ctx }) => tariffsOverview(ctx.rt.db, ctx.scope, todayOf(ctx.auth.tenant!, ctx.rt.clock.now()))),
	createGroup: operatorProcedure.input(ServiceGroupInput).mutation(({ ctx, input }) => done(settledSetup(createServiceGroup(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	renameGroup: operatorProcedure.input(RenameServiceGroupInput).mutation(({ ctx, input }) => done(settledSetup(renameServiceGroup(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	createService: operatorProcedure.input(ServiceInput).mutation(({ ctx, input }) => done(settledSetup(createService(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	renameService: operatorProcedure.input(RenameServiceInput).mutation(({ ctx, input }) => done(settledSetup(renameService(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	createBand: operatorProcedure.input(TariffBandInput).mutation(({ ctx, input }) => done(settledSetup(createTariffBand(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	updateBand: operatorProcedure.input(UpdateTariffBandInput).mutation(({ ctx, input }) => done(settledSetup(updateTariffBand(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	deleteBand: operatorProcedure
		.input(TariffBandIdInput)
		.mutation(({ ctx, input }) => done(settledSetup(deleteTariffBand(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input.tariffBandId)))),
	addPriceChange: operatorProcedure.input(PriceChangeInput).mutation(({ ctx, input }) => done(settledSetup(addPriceChange(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	deletePriceChange: operatorProcedure
		.input(PriceChangeIdInput)
		.mutation(({ ctx, input }) => done(settledSetup(deletePriceChange(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input.priceChangeId)))),
	setSiblingDiscount: operatorProcedure.input(SiblingDiscountInput).mutation(({ ctx, input }) => done(settledSetup(setSiblingDiscount(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input))))
});
