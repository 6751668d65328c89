import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { consumersPage } from '../consumers-page';

export const load: PageServerLoad = async (event) => {
	const page = consumersPage(event);
	const { classes } = await serverCaller(event).officeConsumers.options();
	return { ...page, classes: classes.map((c) => ({ id: c.id, label: `${c.name} — ${c.school} (${c.year})` })) };
};
