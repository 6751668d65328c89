import { TRPCError } from '@trpc/server';
import { canSeeConsumer } from '../consumers/access.js';
import type { AuthedContext } from './init.js';

/** Another family's child and another Comune's child get the same answer: no such consumer. */
export function requireChild(ctx: AuthedContext, consumerId: number) {
	if (!canSeeConsumer(ctx.rt.db, ctx.scope, ctx.auth.user, consumerId)) {
		throw new TRPCError({ code: 'NOT_FOUND', message: 'Consumatore non trovato tra i tuoi figli.' });
	}
	return ctx.auth.tenant!;
}
