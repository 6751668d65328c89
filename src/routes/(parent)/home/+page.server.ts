import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';

export const load: PageServerLoad = async (event) => {
	const { consumers } = await event.parent();
	const caller = serverCaller(event);
	const balances = await Promise.all(consumers.map(async (c) => [c.id, await caller.account.balances({ consumerId: c.id })] as const));
	return { balances: Object.fromEntries(balances) };
};
