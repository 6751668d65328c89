import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';

export const load: PageServerLoad = async (event) => {
	try {
		return { consumer: await serverCaller(event).guardian.consumer({ consumerId: Number(event.params.id) }) };
	} catch (e) {
		if (e instanceof TRPCError && e.code === 'NOT_FOUND') error(404, e.message);
		throw e;
	}
};
