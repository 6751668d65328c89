import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import type { LayoutServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { rememberComune } from '$lib/server/auth';

export const load: LayoutServerLoad = async (event) => {
	try {
		const tenant = await serverCaller(event).tenants.bySlug({ slug: event.params.slug });
		rememberComune(event, tenant.slug);
		return { tenant };
	} catch (e) {
		if (e instanceof TRPCError && e.code === 'NOT_FOUND') {
			error(404, `Non troviamo il Comune «${event.params.slug}»: controlla l’indirizzo o cercalo dalla pagina iniziale.`);
		}
		throw e;
	}
};
