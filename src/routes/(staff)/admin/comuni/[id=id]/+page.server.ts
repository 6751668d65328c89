import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { adminPage } from '../../admin-page';

export const load: PageServerLoad = async (event) => {
	const page = adminPage(event);
	const tenant = await serverCaller(event)
		.admin.tenant({ tenantId: Number(event.params.id) })
		.catch(() => error(404, 'Comune non trovato.'));
	return { ...page, tenant, created: event.url.searchParams.has('creato') };
};
