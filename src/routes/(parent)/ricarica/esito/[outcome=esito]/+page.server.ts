import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth';
import { guardianPaymentView } from '$server/payments/pagopa/return-status';

// Checkout's return address: ?pagamento=<id>; only the guardian who made the payment sees it.
export const load: PageServerLoad = (event) => {
	const { user, tenant } = requireRole(event, 'guardian');
	const id = event.url.searchParams.get('pagamento') ?? '';
	const payment = /^[1-9]\d{0,9}$/.test(id) && tenant ? guardianPaymentView(event.locals.rt.db, tenant.id, user.id, Number(id)) : null;
	if (!payment) error(404, 'Pagamento non trovato.');
	return { outcome: event.params.outcome as 'ok' | 'annullato' | 'errore', payment };
};
