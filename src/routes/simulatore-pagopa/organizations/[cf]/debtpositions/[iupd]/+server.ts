import type { RequestHandler } from './$types';
import { getDebtPosition, simDepsOf } from '$server/payments/pagopa/simulator/http';

export const GET: RequestHandler = ({ request, params, locals }) => getDebtPosition(simDepsOf(locals.rt), request, params.cf, params.iupd);
