import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';

export const load: PageServerLoad = async (event) => {
	const caller = serverCaller(event);
	const consumerId = Number(event.params.id);
	try {
		const [consumer, balances] = await Promise.all([caller.guardian.consumer({ consumerId }), caller.account.balances({ consumerId })]);
		return { consumer, balances };
	} catch (e) {
		if (e instanceof TRPCError && e.code === 'NOT_FOUND') error(404, e.message);
		throw e;
	}
};
