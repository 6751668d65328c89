import { redirect, type RequestHandler } from '@sveltejs/kit';
import { completeOidcLogin, OidcError, signInWithIdentity, takeLoginState } from '$server/auth/oidc';
import { holdIdentityLink } from '$server/auth/identity-link';
import { openSession } from '$server/auth/flows';
import { findTenantById } from '$server/tenants/tenants';
import { OIDC_STATE_COOKIE, PENDING_LINK_COOKIE } from '$lib/server/oidc';
import { setSessionCookie } from '$lib/server/auth';

export const GET: RequestHandler = async (event) => {
	const { locals, url, cookies } = event;
	const { rt } = locals;
	const ip = event.getClientAddress();
	const cookieState = cookies.get(OIDC_STATE_COOKIE);
	cookies.delete(OIDC_STATE_COOKIE, { path: '/auth/oidc' });
	let loginState;
	try {
		loginState = takeLoginState(rt.db, rt.clock, url.searchParams.get('state'), cookieState);
	} catch (e) {
		if (e instanceof OidcError) redirect(303, `/?errore=${encodeURIComponent(e.message)}`);
		throw e;
	}
	const tenant = findTenantById(rt.db, loginState.tenantId)!;
	let target: string;
	try {
		const identity = await completeOidcLogin(rt.relyingPartyFor(tenant), url, loginState);
		const result = signInWithIdentity(rt.db, rt.clock, tenant.id, identity, ip);
		if (result.status === 'confirm_link') {
			const token = holdIdentityLink(rt.db, rt.clock, tenant.id, result.candidate, loginState.provider, identity);
			cookies.set(PENDING_LINK_COOKIE, token, { path: '/login', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: 900 });
			target = `/login/${tenant.slug}/collega`;
		} else {
			const session = openSession(rt, result.user, ip, loginState.provider);
			setSessionCookie(event, session.token, session.expiresAt);
			target = session.home;
		}
	} catch (e) {
		if (e instanceof OidcError) redirect(303, `/login/${tenant.slug}?errore=${encodeURIComponent(e.message)}`);
		throw e;
	}
	redirect(303, target);
};
