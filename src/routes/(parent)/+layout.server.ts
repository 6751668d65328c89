import type { LayoutServerLoad } from './$types';
import { requireRole } from '$lib/server/auth';
import { serverCaller } from '$lib/server/trpc';

export const load: LayoutServerLoad = async (event) => {
	const { user, tenant } = requireRole(event, 'guardian');
	return {
		userName: `${user.givenName} ${user.familyName}`,
		// Whose data the phone keeps: another user's local copy is wiped before it is shown.
		userKey: String(user.id),
		tenantName: tenant?.name ?? null,
		loginPath: tenant ? `/login/${tenant.slug}` : '/',
		// Kept in the page's HTML, so an offline copy tells when its data was fresh.
		renderedAt: event.locals.rt.clock.now().toISOString(),
		consumers: await serverCaller(event).guardian.consumers()
	};
};
