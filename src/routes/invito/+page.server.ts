import type { PageServerLoad } from './$types';
import { TRPCError } from '@trpc/server';
import { serverCaller } from '$lib/server/trpc';
import { Refusal } from '$server/trpc/outcomes';

const INVALID_LINK = 'Link di invito non valido: aprilo di nuovo dall’e-mail, senza modificarlo.';

/** The link's state decides the page: a form to choose the password, or why the link no longer works. */
export const load: PageServerLoad = async (event) => {
	try {
		const invitation = await serverCaller(event).invitations.show({ token: event.url.searchParams.get('token') ?? '' });
		return { invitation, problem: null };
	} catch (e) {
		if (!(e instanceof TRPCError)) throw e;
		// A refusal says why (used, expired); a token that does not even parse is just a broken link.
		return { invitation: null, problem: e.cause instanceof Refusal ? e.message : INVALID_LINK };
	}
};
