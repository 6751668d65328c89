import type { PageServerLoad } from './$types';
import { pendingReset } from '$server/auth/accounts';

/** Whether the link still works is said before the parent types a new password twice, not after. */
export const load: PageServerLoad = ({ url, locals }) => ({
	linkValid: pendingReset(locals.rt.db, locals.rt.clock, url.searchParams.get('token') ?? '') !== null
});
