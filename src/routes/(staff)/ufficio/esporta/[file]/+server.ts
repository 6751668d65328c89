import { error, type RequestHandler } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth';
import { tenantScope } from '$server/db/tenant-scope';
import { recordAudit } from '$server/audit/log';
import { exportTable } from '$server/export/tables';
import { exportStream } from '$server/export/stream';

/** GET alunni.csv, iscrizioni.csv, saldi.csv, movimenti.csv: the operator's Comune only, streamed. */
export const GET: RequestHandler = (event) => {
	const auth = requireRole(event, 'operator');
	const tenant = auth.tenant!;
	const table = exportTable(event.params.file ?? '');
	if (!table) error(404, 'Tabella da esportare inesistente.');
	const { rt } = event.locals;
	// Personal data leaving the system: who took which table, and when.
	recordAudit(rt.db, rt.clock, { tenantId: tenant.id, actorUserId: auth.user.id, action: 'data.export', entity: 'export', entityId: table.file, ip: event.getClientAddress() });
	return new Response(exportStream(rt.db, tenantScope(tenant.id), table), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${tenant.slug}-${table.file}"`,
			'cache-control': 'private, no-store'
		}
	});
};
