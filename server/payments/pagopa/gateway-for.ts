import type { Tenant } from '../../tenants/tenants.js';
import { readPaymentSettings } from '../settings.js';
import type { Sealer } from '../../auth/sealed.js';
import { readTenantSecret } from '../../tenants/tenant-secrets.js';
import { PagopaError } from './errors.js';
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
		const checkout = readTenantSecret(deps.secrets, tenant.slug, 'checkoutSubscriptionKey', pagopa.checkoutSubscriptionKey);
		const gpd = readTenantSecret(deps.secrets, tenant.slug, 'gpdSubscriptionKey', pagopa.gpdSubscriptionKey);
		if (checkout.status !== 'set' || gpd.status !== 'set') {
			const [which, read] = checkout.status !== 'set' ? ['Checkout', checkout] : ['GPD', gpd];
			return refusingGateway(`${tenant.slug}: chiave di ${which} ${read.status === 'unreadable' ? 'non leggibile su questo server' : 'non impostata'}`);
		}
		return livePagopaGateway({ ...pagopa, checkoutSubscriptionKey: checkout.value, gpdSubscriptionKey: gpd.value, fetch: deps.fetch, timeoutMs: deps.timeoutMs });
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

/**
 * A Comune whose subscription key cannot be used here: every call fails as pagoPA itself answers a
 * wrong key (the guardian is told to warn the ufficio, the payment is marked refused, nothing is owed).
 */
function refusingGateway(detail: string): PagopaGateway {
	const refuse = async (): Promise<never> => {
		throw new PagopaError('UNAUTHORIZED', detail);
	};
	return { publishDebtPosition: refuse, startCheckout: refuse };
}

/** Where Checkout sends the guardian back: the return pages find the payment by its id (theirs only). */
export function checkoutReturnUrls(origin: string, paymentId: number) {
	const at = (outcome: string) => `${origin.replace(/\/+$/, '')}/ricarica/esito/${outcome}?pagamento=${paymentId}`;
	return { returnOkUrl: at('ok'), returnCancelUrl: at('annullato'), returnErrorUrl: at('errore') };
}
