import type { Tenant } from '../../tenants/tenants.js';
import { readPaymentSettings } from '../settings.js';
import type { Sealer } from '../../auth/sealed.js';
import { openTenantSecret } from '../../tenants/tenant-secrets.js';
import type { GatewayEnte, PagopaGateway } from './gateway.js';
import { livePagopaGateway } from './live.js';

/** Where the embedded simulator answers, on the app's own origin. */
export const SIMULATOR_PATH = '/simulatore-pagopa';
/** The simulator checks the header like pagoPA's API gateway does; the key protects nothing real. */
export const SIMULATOR_SUBSCRIPTION_KEY = 'simulatore-pagopa-chiave-di-prova';
/** The ente's IBAN the simulator's debt positions name (the example IBAN of the Italian banks' docs). */
const SIMULATOR_IBAN = 'IT60X0542811101000000123456';
const SIMULATOR_CATEGORY = '9/0101108TS/';

export const enteOf = (tenant: Pick<Tenant, 'name' | 'codiceFiscaleEnte'>): GatewayEnte => ({ name: tenant.name, codiceFiscale: tenant.codiceFiscaleEnte });

/**
 * The Comune's pagoPA: the real GPD + Checkout APIs in `live` mode, otherwise the same adapter
 * aimed at the simulator over real HTTP, so both modes speak one contract.
 */
export function gatewayFor(tenant: Pick<Tenant, 'slug' | 'paymentSettings'>, deps: { origin: string; secrets: Sealer; fetch?: typeof fetch; timeoutMs?: number }): PagopaGateway {
	const { pagopa } = readPaymentSettings(tenant.paymentSettings);
	if (pagopa.mode === 'live') {
		// Throws TenantSecretUnreadable when a key does not open here: no request leaves without it.
		const key = (name: 'checkoutSubscriptionKey' | 'gpdSubscriptionKey') => openTenantSecret(deps.secrets, tenant.slug, name, pagopa[name])!;
		return livePagopaGateway({ ...pagopa, checkoutSubscriptionKey: key('checkoutSubscriptionKey'), gpdSubscriptionKey: key('gpdSubscriptionKey'), fetch: deps.fetch, timeoutMs: deps.timeoutMs });
	}
	const simulator = `${deps.origin.replace(/\/+$/, '')}${SIMULATOR_PATH}`;
	return livePagopaGateway({
		gpdBaseUrl: simulator,
		checkoutBaseUrl: simulator,
		gpdSubscriptionKey: SIMULATOR_SUBSCRIPTION_KEY,
		checkoutSubscriptionKey: SIMULATOR_SUBSCRIPTION_KEY,
		iban: SIMULATOR_IBAN,
		transferCategory: SIMULATOR_CATEGORY,
		fetch: deps.fetch,
		timeoutMs: deps.timeoutMs
	});
}

/** Where Checkout sends the guardian back: the return pages find the payment by its id (theirs only). */
export function checkoutReturnUrls(origin: string, paymentId: number) {
	const at = (outcome: string) => `${origin.replace(/\/+$/, '')}/ricarica/esito/${outcome}?pagamento=${paymentId}`;
	return { returnOkUrl: at('ok'), returnCancelUrl: at('annullato'), returnErrorUrl: at('errore') };
}
