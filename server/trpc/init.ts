import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Role } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { tenantScope } from '../db/tenant-scope.js';
import type { Auth, Context } from './context.js';
import { Refusal } from './outcomes.js';

export interface Meta {
	/** who may call the procedure; absent means anyone, signed in or not */
	roles?: readonly Role[];
}

/** tRPC's own refusals (bad JSON, wrong method, unknown path) in the users' language. */
function frameworkMessage(error: TRPCError): string | null {
	if (error.code === 'PARSE_ERROR') return 'Richiesta non valida: i dati inviati non sono JSON corretto.';
	if (error.code === 'METHOD_NOT_SUPPORTED') return 'Metodo HTTP non consentito per questa operazione.';
	if (error.code === 'NOT_FOUND' && error.message.startsWith('No procedure found')) return 'Operazione inesistente.';
	return null;
}

const t = initTRPC
	.context<Context>()
	.meta<Meta>()
	.create({
		// adapter-node does not set NODE_ENV: never let tRPC guess "development" and ship stacks.
		isDev: false,
		errorFormatter({ shape, error }) {
			if (error.code === 'BAD_REQUEST' && error.cause instanceof ZodError) {
				const fieldErrors: Record<string, string> = {};
				for (const issue of error.cause.issues) {
					const key = issue.path.join('.') || '_';
					fieldErrors[key] ??= issue.message;
				}
				return { ...shape, message: Object.values(fieldErrors).join(' · '), data: { ...shape.data, stack: undefined, fieldErrors } };
			}
			if (error.cause instanceof Refusal) {
				const { reason, fieldErrors } = error.cause;
				return { ...shape, data: { ...shape.data, stack: undefined, reason, fieldErrors } };
			}
			// Never show a stack or a driver message to a user.
			if (error.code === 'INTERNAL_SERVER_ERROR') {
				return { ...shape, message: 'Si è verificato un errore interno. Riprova fra qualche minuto.', data: { ...shape.data, stack: undefined } };
			}
			const message = frameworkMessage(error) ?? shape.message;
			return { ...shape, message, data: { ...shape.data, stack: undefined } };
		}
	});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.meta({});

export interface AuthedContext extends Context {
	auth: Auth;
	scope: TenantScope;
}

/**
 * The one place where roles are checked. A role counts only inside the session's own Comune
 * (platform admins have none), so every tenant-scoped procedure gets `ctx.scope` from here.
 */
function roleProcedure(roles: readonly Role[], { duringSecondFactor }: { duringSecondFactor: boolean }) {
	return t.procedure.meta({ roles }).use(({ ctx, next }) => {
		if (!ctx.auth) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sessione scaduta: accedi di nuovo.' });
		// A staff member between the password and the code reaches nothing but that step.
		if (ctx.auth.secondFactorPending && !duringSecondFactor) {
			throw new TRPCError({ code: 'FORBIDDEN', message: 'Conferma prima l’accesso con il codice della tua app di autenticazione.' });
		}
		const held = new Set(ctx.auth.roles.map((r) => r.role));
		if (!roles.some((r) => held.has(r))) {
			throw new TRPCError({ code: 'FORBIDDEN', message: 'Non hai i permessi per questa operazione.' });
		}
		const scope = tenantScope(ctx.auth.tenant?.id ?? -1);
		return next({ ctx: { ...ctx, auth: ctx.auth, scope } });
	});
}

export function procedureFor(...roles: Role[]) {
	return roleProcedure(roles, { duringSecondFactor: false });
}

const everyRole: readonly Role[] = ['guardian', 'operator', 'school_staff', 'kitchen', 'admin'];
export const guardianProcedure = procedureFor('guardian');
export const anyUserProcedure = procedureFor(...everyRole);
/** Open between the password and the code too: to give the code, or to leave. */
export const secondFactorStepProcedure = roleProcedure(everyRole, { duringSecondFactor: true });
