import { error, type RequestHandler } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth';
import { tenantScope } from '$server/db/tenant-scope';
import { zonedDate } from '$server/calendar/zoned-time';
import { findDebtors, sortDebtors } from '$server/debtors/list';
import { debtorsCsv } from '$server/debtors/export-csv';
import { DebtorListInput } from '$lib/shared/debtor-schemas';
import { debtorQueryOf } from '../morosi/debtor-query';

/** GET with the list's filters: every debtor they find (not one page), for the Comune's collection procedure. */
export const GET: RequestHandler = async (event) => {
	const auth = requireRole(event, 'operator');
	const tenant = auth.tenant!;
	const { query, valid } = debtorQueryOf(event.url);
	if (!valid) error(400, 'Filtri non validi.');
	const { schoolId, minDebt, sort, dir } = DebtorListInput.parse(query);
	const { rt } = event.locals;
	const today = zonedDate(rt.clock.now(), tenant.timezone);
	const debtors = sortDebtors(findDebtors(rt.db, tenantScope(tenant.id), { schoolId, minDebtCents: minDebt }, today), sort, dir);
	return new Response(debtorsCsv(debtors, tenant.timezone), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="morosi-${tenant.slug}-${today}.csv"`,
			'cache-control': 'private, no-store'
		}
	});
};
