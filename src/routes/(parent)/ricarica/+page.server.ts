import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { ROME } from '$lib/shared/dates';

export const load: PageServerLoad = async (event) => {
	const caller = serverCaller(event);
	const [ricarica, payments] = await Promise.all([caller.payments.ricarica(), caller.payments.list()]);
	// ?consumer=<id> from a child's page: that child's accounts come first.
	const asked = Number(event.url.searchParams.get('consumer'));
	return {
		...ricarica,
		payments,
		preselected: Number.isSafeInteger(asked) && asked > 0 ? asked : null,
		timeZone: event.locals.auth?.tenant?.timezone ?? ROME,
		// per user: two parents sharing a tablet tab never see each other's cart
		cartKey: `mensa-aperta:carrello:${event.locals.auth!.user.id}`
	};
};
