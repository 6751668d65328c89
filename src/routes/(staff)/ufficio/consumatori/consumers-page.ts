import { error, type RequestEvent } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { requireRole } from '$lib/server/auth';
import { staffNav } from '$lib/server/staff-nav';
import { serverCaller } from '$lib/server/trpc';

/** The pupils' pages: operators, and school staff for their delegated school; the header data. */
export function consumersPage(event: RequestEvent) {
	const auth = requireRole(event, 'operator', 'school_staff');
	return { userName: `${auth.user.givenName} ${auth.user.familyName}`, tenantName: auth.tenant?.name ?? null, links: staffNav(auth.roles) };
}

/** A pupil of another Comune, or out of the school staff's reach: a page that does not exist. */
export async function loadConsumer(event: RequestEvent & { params: { id: string } }) {
	try {
		return await serverCaller(event).officeConsumers.detail({ consumerId: Number(event.params.id) });
	} catch (e) {
		if (e instanceof TRPCError && e.code === 'NOT_FOUND') error(404, e.message);
		throw e;
	}
}
