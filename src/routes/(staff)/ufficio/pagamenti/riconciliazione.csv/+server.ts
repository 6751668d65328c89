import { error, type RequestHandler } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth';
import { serverCaller } from '$lib/server/trpc';
import { isIsoDate } from '$lib/shared/dates';
import { reconciliationCsv } from '$server/payments/office/reconciliation';

/** GET ?data=YYYY-MM-DD: the day's reconciliation for a spreadsheet, operators only. */
export const GET: RequestHandler = async (event) => {
	const auth = requireRole(event, 'operator');
	const date = event.url.searchParams.get('data') ?? '';
	if (!isIsoDate(date)) error(400, 'Data non valida (usa AAAA-MM-GG).');
	const report = await serverCaller(event).officePayments.reconciliation({ date });
	return new Response(reconciliationCsv(report), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="riconciliazione-${auth.tenant!.slug}-${date}.csv"`,
			'cache-control': 'private, no-store'
		}
	});
};
