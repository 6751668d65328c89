import { officeActorOf } from '../consumers/office/reach.js';
import type { AuthedContext } from './init.js';

/** Operators act on the whole Comune; school staff only on the schools the Comune still delegates to them. */
export const officeActor = (ctx: AuthedContext) => officeActorOf(ctx.rt.db, ctx.scope, { id: ctx.auth.user.id, ip: ctx.edge.ip, roles: ctx.auth.roles });
