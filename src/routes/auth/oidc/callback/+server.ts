import { redirect, type RequestHandler } from '@sveltejs/kit';
import { completeOidcLogin, OidcError, signInWithIdentity, takeLoginState } from '$server/auth/oidc';
import { holdIdentityLink } from '$server/auth/identity-link';
import { openSession } from '$server/auth/flows';
import { findTenantById } from '$server/tenants/tenants';
import { TenantSecretUnavailable } from '$server/tenants/tenant-secrets';
import { dropCookie, readCookie, writeCookie } from '$lib/server/cookies';
import { setSessionCookie } from '$lib/server/auth';

export const GET: RequestHandler = async (event) => {
	const { locals, url } = event;
	const { rt } = locals;
	const ip = event.getClientAddress();
	const cookieState = readCookie(event, 'oidcState');
	dropCookie(event, 'oidcState');
	let loginState;
	try {
		loginState = takeLoginState(rt.db, rt.clock, url.searchParams.get('state'), cookieState);
	} catch (e) {
		if (e instanceof OidcError) redirect(303, `/?errore=${e.problem}`);
		throw e;
	}
	const tenant = findTenantById(rt.db, loginState.tenantId)!;
	let target: string;
	try {
		const identity = await completeOidcLogin(rt.relyingPartyFor(tenant), url, loginState);
		const result = signInWithIdentity(rt.db, rt.clock, tenant.id, identity, ip);
		if (result.status === 'confirm_link') {
			const token = holdIdentityLink(rt.db, rt.clock, tenant.id, result.candidate, loginState.provider, identity);
			writeCookie(event, 'pendingLink', token, { maxAge: 900 });
			target = `/login/${tenant.slug}/collega`;
		} else {
			// SPID/CIE is a strong login already (two factors from level 2): no code asked after it.
			const session = openSession(rt, result.user, ip, loginState.provider, { secondFactor: true });
			setSessionCookie(event, session.token, session.expiresAt);
			target = session.home;
		}
	} catch (e) {
		if (e instanceof OidcError) redirect(303, `/login/${tenant.slug}?errore=${e.problem}`);
		// The Comune's client secret stopped opening between the start of the login and now.
		if (e instanceof TenantSecretUnavailable) redirect(303, `/login/${tenant.slug}?errore=spid-non-disponibile`);
		throw e;
	}
	redirect(303, target);
};
