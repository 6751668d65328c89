import { error, type RequestEvent } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth';
import { tenantScope } from '$server/db/tenant-scope';
import { puntoLisAccount, type PuntoLisAccount } from '$server/payments/lis/account';

/** The page and its PDF answer alike: the guardian's own child, enrolled in the group, or 404. */
export function accountOf(event: RequestEvent): PuntoLisAccount {
	const { user, tenant } = requireRole(event, 'guardian');
	const { db, clock } = event.locals.rt;
	const account = tenant && puntoLisAccount(db, clock, tenantScope(tenant.id), user, Number(event.params.id), Number(event.params.groupId));
	if (!account) error(404, 'Consumatore o servizio non trovato tra i tuoi figli.');
	return account;
}
