import { error, type RequestHandler } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth';
import { avvisoPdf } from '$server/payments/avviso';
import { tenantScope } from '$server/db/tenant-scope';

/** The avviso as a PDF, only for the guardian who made it: anyone else gets the same 404 as a missing one. */
export const GET: RequestHandler = async (event) => {
	const { user, tenant } = requireRole(event, 'guardian');
	if (!tenant) error(404, 'Avviso di pagamento non trovato.');
	const { db } = event.locals.rt;
	const found = await avvisoPdf(db, tenantScope(tenant.id), tenant, user.id, Number(event.params.payment));
	if (!found) error(404, 'Avviso di pagamento non trovato.');
	return new Response(found.pdf as BodyInit, {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `attachment; filename="avviso-${found.avviso.noticeNumber}.pdf"`,
			'cache-control': 'no-store'
		}
	});
};
