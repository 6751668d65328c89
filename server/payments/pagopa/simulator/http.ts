import { systemClock } from '../../../clock.js';
import { SIMULATOR_PATH } from '../gateway-for.js';
import { CartBody, DebtPositionBody, issuesText, problem, subscriptionRefusal } from './protocol.js';
import { createDebtPosition, createSimCart, findDebtPosition, simulatedEnte, type SimDeps } from './store.js';

/*
 * The simulator's HTTP API, same paths, bodies and statuses as GPD and Checkout; the SvelteKit
 * routes under /simulatore-pagopa/ only hand the request over.
 */

async function jsonOf(request: Request): Promise<{ ok: true; value: unknown } | { ok: false }> {
	try {
		return { ok: true, value: await request.json() };
	} catch {
		return { ok: false };
	}
}

/** POST /organizations/{cf}/debtpositions?toPublish=true */
export async function postDebtPosition(deps: SimDeps, request: Request, fiscalCode: string, toPublish: boolean): Promise<Response> {
	const refused = subscriptionRefusal(request.headers);
	if (refused) return refused;
	const ente = simulatedEnte(deps.db, fiscalCode);
	if (!ente) return problem(403, 'Forbidden', `organization ${fiscalCode} is not served by this simulator`);
	const json = await jsonOf(request);
	if (!json.ok) return problem(400, 'BAD REQUEST', 'malformed JSON');
	const body = DebtPositionBody.safeParse(json.value);
	if (!body.success) return problem(400, 'BAD REQUEST', issuesText(body.error));
	const outcome = createDebtPosition(deps, ente.id, fiscalCode, body.data, toPublish);
	if (outcome.status === 'duplicate') return problem(409, 'Conflict', outcome.detail);
	return Response.json({ ...outcome.position, organizationFiscalCode: fiscalCode, status: toPublish ? 'VALID' : 'DRAFT' }, { status: 201 });
}

/** GET /organizations/{cf}/debtpositions/{iupd} */
export function getDebtPosition(deps: SimDeps, request: Request, fiscalCode: string, iupd: string): Response {
	const refused = subscriptionRefusal(request.headers);
	if (refused) return refused;
	if (!simulatedEnte(deps.db, fiscalCode)) return problem(403, 'Forbidden', `organization ${fiscalCode} is not served by this simulator`);
	const position = findDebtPosition(deps.db, fiscalCode, iupd);
	return position ? Response.json({ ...position, organizationFiscalCode: fiscalCode }) : problem(404, 'Not found', `debt position ${iupd} not found`);
}

/** POST /checkout/ec/v1/carts → 302 to the simulator's payment page */
export async function postCart(deps: SimDeps, request: Request, origin: string): Promise<Response> {
	const refused = subscriptionRefusal(request.headers);
	if (refused) return refused;
	const json = await jsonOf(request);
	if (!json.ok) return problem(400, 'Bad request', 'malformed JSON');
	const body = CartBody.safeParse(json.value);
	if (!body.success) return problem(400, 'Bad request', issuesText(body.error));
	const foreign = body.data.paymentNotices.find((n) => !simulatedEnte(deps.db, n.fiscalCode));
	if (foreign) return problem(400, 'Bad request', `organization ${foreign.fiscalCode} is not served by this simulator`);
	const id = createSimCart(deps, body.data);
	return new Response(null, { status: 302, headers: { location: `${origin}${SIMULATOR_PATH}/pagamento/${id}` } });
}

/** The simulator's dependencies from the app's runtime: its database and clock, plus real time for deliveries. */
export const simDepsOf = (rt: Pick<SimDeps, 'db' | 'clock' | 'secrets'>): SimDeps => ({ db: rt.db, clock: rt.clock, secrets: rt.secrets, wall: systemClock });
