import { error, type RequestHandler } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { requireRole } from '$lib/server/auth';
import { serverCaller } from '$lib/server/trpc';
import { kitchenReportCsv } from '$server/meals/kitchen-report';
import { isValidIsoDate } from '$server/calendar/dates';

/** GET ?data=YYYY-MM-DD: the day's report for a spreadsheet, with the same roles as the page. */
export const GET: RequestHandler = async (event) => {
	const auth = requireRole(event, 'kitchen', 'operator', 'school_staff');
	if (!auth.tenant) error(403, 'Non hai i permessi per vedere questa pagina.');
	const date = event.url.searchParams.get('data') ?? '';
	if (!isValidIsoDate(date)) error(400, 'Data non valida (usa AAAA-MM-GG).');
	try {
		const report = await serverCaller(event).office.kitchenReport({ date });
		return new Response(kitchenReportCsv(report), {
			headers: {
				'content-type': 'text/csv; charset=utf-8',
				'content-disposition': `attachment; filename="pasti-${auth.tenant.slug}-${date}.csv"`,
				'cache-control': 'private, no-store'
			}
		});
	} catch (e) {
		if (e instanceof TRPCError && e.code === 'BAD_REQUEST') error(400, e.message);
		throw e;
	}
};
