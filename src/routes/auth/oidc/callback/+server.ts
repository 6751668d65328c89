import { redirect, type RequestHandler } from '@sveltejs/kit';
import { completeOidcLogin, OidcError, signInWithIdentity, takeLoginState } from '$server/auth/oidc';
import { createSession, generateSessionToken } from '$server/auth/session';
import { userRoles } from '$server/auth/accounts';
import { homeFor } from '$server/auth/home';
import { findTenantById } from '$server/tenants/tenants';
import { recordAudit } from '$server/audit/log';
import { OIDC_STATE_COOKIE } from '$lib/server/oidc';
import { setSessionCookie } from '$lib/server/auth';

export const GET: RequestHandler = async (event) => {
	const { locals, url, cookies } = event;
	const { rt } = locals;
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
	let home: string;
	try {
		const identity = await completeOidcLogin(rt.relyingPartyFor(tenant), url, loginState);
		const user = signInWithIdentity(rt.db, rt.clock, tenant.id, identity, event.getClientAddress());
		const token = generateSessionToken();
		const session = createSession(rt.db, rt.clock, token, user.id);
		setSessionCookie(event, token, session.expiresAt);
		recordAudit(rt.db, rt.clock, { tenantId: tenant.id, actorUserId: user.id, action: 'session.login', entity: 'user', entityId: user.id, details: { via: loginState.provider }, ip: event.getClientAddress() });
		home = homeFor(userRoles(rt.db, user.id));
	} catch (e) {
		if (e instanceof OidcError) redirect(303, `/login/${tenant.slug}?errore=${encodeURIComponent(e.message)}`);
		throw e;
	}
	redirect(303, home);
};
