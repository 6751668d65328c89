import { TRPCError } from '@trpc/server';
import { AcceptInvitationInput, InvitationInput } from '../../../src/lib/shared/setup-schemas.js';
import { acceptInvitation, findInvitation } from '../../users/invitations.js';
import { publicProcedure, router } from '../init.js';
import { Refusal, refuse } from '../outcomes.js';

const problems = {
	used: 'Questo invito è già stato usato: accedi con la password che hai scelto, o chiedi di reimpostarla.',
	expired: 'Questo invito è scaduto: chiedi a chi ti ha invitato di mandartene uno nuovo.',
	invalid: 'Link di invito non valido: aprilo di nuovo dall’e-mail, senza modificarlo.'
} as const;

function refused(status: keyof typeof problems): never {
	throw new TRPCError({ code: status === 'invalid' ? 'NOT_FOUND' : 'BAD_REQUEST', message: problems[status], cause: new Refusal(problems[status], `INVITE_${status.toUpperCase()}`) });
}

/** Reached from the e-mail link, signed out: the token is the only proof. */
export const invitationsRouter = router({
	show: publicProcedure.input(InvitationInput).query(({ ctx, input }) => {
		const found = findInvitation(ctx.rt.db, ctx.rt.clock, input.token);
		if (found.status !== 'valid') refused(found.status);
		return { givenName: found.user.givenName, email: found.user.email, tenantName: found.tenant?.name ?? null };
	}),
	accept: publicProcedure.input(AcceptInvitationInput).mutation(async ({ ctx, input }) => {
		const result = await acceptInvitation(ctx.rt.db, ctx.rt.clock, input.token, input.password, ctx.edge.ip);
		if (result.status === 'weak_password') refuse(ctx.edge, result);
		if (result.status !== 'accepted') refused(result.status);
		return { loginPath: result.tenant ? `/login/${result.tenant.slug}` : '/admin/login' };
	})
});
