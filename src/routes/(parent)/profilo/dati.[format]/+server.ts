import { error, type RequestHandler } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth';
import { tenantScope } from '$server/db/tenant-scope';
import { recordAudit } from '$server/audit/log';
import { exportGuardianData } from '$server/privacy/export';
import { renderDataExportPdf } from '$server/privacy/export-pdf';

/**
 * GET dati.json, dati.pdf: everything held about the signed-in guardian and their children. Only
 * ever the caller's own data (no id in the URL), so there is nobody else's to ask for.
 */
export const GET: RequestHandler = async (event) => {
	const format = event.params.format;
	if (format !== 'json' && format !== 'pdf') error(404, 'Pagina non trovata.');
	const auth = requireRole(event, 'guardian');
	const tenant = auth.tenant!;
	const { rt } = event.locals;
	const data = exportGuardianData(rt.db, tenantScope(tenant.id), rt.clock, auth.user.id);
	if (!data) error(404, 'Pagina non trovata.');
	recordAudit(rt.db, rt.clock, { tenantId: tenant.id, actorUserId: auth.user.id, action: 'privacy.export', entity: 'user', entityId: auth.user.id, details: { format }, ip: event.getClientAddress() });
	const body = format === 'json' ? JSON.stringify(data, null, 2) : await renderDataExportPdf(data, `Comune di ${tenant.name}`, tenant.timezone);
	return new Response(body, {
		headers: {
			'content-type': format === 'json' ? 'application/json; charset=utf-8' : 'application/pdf',
			'content-disposition': `attachment; filename="mensa-aperta-dati-${tenant.slug}.${format}"`,
			'cache-control': 'private, no-store'
		}
	});
};
