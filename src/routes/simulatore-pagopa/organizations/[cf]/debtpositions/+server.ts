import type { RequestHandler } from './$types';
import { postDebtPosition, simDepsOf } from '$server/payments/pagopa/simulator/http';

// GPD: create a debt position (the simulator's; see server/payments/pagopa/simulator/).
export const POST: RequestHandler = ({ request, params, url, locals }) =>
	postDebtPosition(simDepsOf(locals.rt), request, params.cf, url.searchParams.get('toPublish') === 'true');
