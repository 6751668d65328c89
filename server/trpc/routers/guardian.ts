import { TRPCError } from '@trpc/server';
import { ActivateInput, ConsumerIdInput, NoInput, OfflineCopyInput } from '../../../src/lib/shared/schemas.js';
import { listGuardianConsumers } from '../../consumers/access.js';
import { activateWithCode } from '../../consumers/activation.js';
import { offlineCopy } from '../../consumers/offline-copy.js';
import { consumeRateLimit, rateRules, resetRateLimit } from '../../auth/rate-limit.js';
import { guardianProcedure, router } from '../init.js';
import { requireChild } from '../child-guard.js';
import { refuse, Refusal } from '../outcomes.js';

export const guardianRouter = router({
	consumers: guardianProcedure.input(NoInput).query(({ ctx }) => listGuardianConsumers(ctx.rt.db, ctx.scope, ctx.auth.user)),
	consumer: guardianProcedure.input(ConsumerIdInput).query(({ ctx, input }) => {
		requireChild(ctx, input.consumerId);
		return listGuardianConsumers(ctx.rt.db, ctx.scope, ctx.auth.user).find((c) => c.id === input.consumerId)!;
	}),
	offlineCopy: guardianProcedure.input(OfflineCopyInput).query(async ({ ctx, input }) => {
		const copy = await offlineCopy(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.tenant!, ctx.auth.user);
		return copy.version === input.version ? { unchanged: true as const, version: copy.version } : { unchanged: false as const, ...copy };
	}),
	activate: guardianProcedure.input(ActivateInput).mutation(({ ctx, input }) => {
		for (const [key, rule] of [
			[`activation:user:${ctx.auth.user.id}`, rateRules.activationUser],
			[`activation:ip:${ctx.edge.ip}`, rateRules.activationIp]
		] as const) {
			const decision = consumeRateLimit(ctx.rt.db, ctx.rt.clock, key, rule);
			if (!decision.allowed) refuse(ctx.edge, { status: 'rate_limited', retryAfterSeconds: decision.retryAfterSeconds });
		}
		const result = activateWithCode(ctx.rt.db, ctx.rt.clock, ctx.scope, ctx.auth.user, input.code, ctx.edge.ip);
		if (result.status === 'invalid_code') {
			const message = 'Codice di attivazione non valido: controlla la lettera del Comune.';
			throw new TRPCError({ code: 'BAD_REQUEST', message, cause: new Refusal(message, 'INVALID_CODE', { code: message }) });
		}
		if (result.status === 'not_applicant') {
			const message =
				'Il codice è legato alla domanda di iscrizione di un altro genitore: può usarlo solo chi ha presentato la domanda. Per aiuto contatta l’ufficio scuola.';
			throw new TRPCError({ code: 'FORBIDDEN', message, cause: new Refusal(message, 'NOT_APPLICANT', { code: message }) });
		}
		// Linking several children in a row must not lock a parent out: only misses count.
		resetRateLimit(ctx.rt.db, `activation:user:${ctx.auth.user.id}`);
		return result;
	})
});
