import { error, redirect, type RequestHandler } from '@sveltejs/kit';
import { beginOidcLogin } from '$server/auth/oidc';
import { findTenantBySlug } from '$server/tenants/tenants';
import { writeCookie } from '$lib/server/cookies';
import { log } from '$server/log';
import { TenantSecretUnavailable } from '$server/tenants/tenant-secrets';

export const GET: RequestHandler = async (event) => {
	const { params, locals } = event;
	const { rt } = locals;
	const tenant = findTenantBySlug(rt.db, params.slug!);
	if (!tenant) error(404, 'Comune non trovato.');
	const provider = params.provider as 'spid' | 'cie';
	if (!(provider === 'spid' ? tenant.spidEnabled : tenant.cieEnabled)) {
		error(404, `L’accesso con ${provider.toUpperCase()} non è attivo per il Comune di ${tenant.name}.`);
	}
	let target: URL;
	try {
		const { url: authorizationUrl, state } = await beginOidcLogin(rt.db, rt.clock, tenant, provider, rt.relyingPartyFor(tenant));
		writeCookie(event, 'oidcState', state, { maxAge: 600 });
		target = authorizationUrl;
	} catch (e) {
		if (e instanceof TenantSecretUnavailable) {
			log.error({ err: e, requestId: event.locals.requestId, provider }, 'Comune OIDC client secret unavailable');
			error(503, `L’accesso con ${provider.toUpperCase()} non è disponibile in questo momento per il Comune di ${tenant.name}: accedi con email e password, o riprova più tardi.`);
		}
		log.error({ err: e, requestId: event.locals.requestId, provider }, 'identity provider unreachable');
		error(503, `Il servizio ${provider.toUpperCase()} non risponde in questo momento. Riprova fra qualche minuto.`);
	}
	redirect(303, target.href);
};
