import type { RequestHandler } from './$types';
import { postCart, simDepsOf } from '$server/payments/pagopa/simulator/http';

// Checkout: a cart of notices, answered with 302 to the simulator's payment page.
export const POST: RequestHandler = ({ request, locals }) => postCart(simDepsOf(locals.rt), request, locals.rt.config.origin);
