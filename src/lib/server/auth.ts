import type { Cookies, RequestEvent } from '@sveltejs/kit';
import { redirect, error } from '@sveltejs/kit';
import { validateSessionToken } from '$server/auth/session';
import { userRoles } from '$server/auth/accounts';
import { needsSecondFactor } from '$server/auth/second-factor';
import { SECOND_FACTOR_PAGE } from '$server/auth/home';
import { findTenantById } from '$server/tenants/tenants';
import type { Role } from '$server/db/schema';
import type { Auth } from '$server/trpc/context';
import { dropCookie, readCookie, writeCookie } from './cookies';

export function rememberComune(event: { cookies: Cookies; url: URL }, slug: string): void {
	writeCookie(event, 'comune', slug, { maxAge: 400 * 24 * 3600 });
}

/** The Comune remembered by rememberComune, if it still looks like a slug. */
export function rememberedComune(event: { cookies: Cookies; url: URL }): string | null {
	const slug = readCookie(event, 'comune');
	return slug && /^[a-z0-9-]{1,60}$/.test(slug) ? slug : null;
}

export function setSessionCookie(event: { cookies: Cookies; url: URL }, token: string, expiresAt: Date): void {
	writeCookie(event, 'session', token, { expires: expiresAt });
}

export function clearSessionCookie(event: { cookies: Cookies; url: URL }): void {
	dropCookie(event, 'session');
}

export function resolveAuth(event: RequestEvent): Auth | null {
	const token = readCookie(event, 'session');
	if (!token) return null;
	const { rt } = event.locals;
	const { session, user, renewed } = validateSessionToken(rt.db, rt.clock, token);
	if (!session) {
		clearSessionCookie(event);
		return null;
	}
	// The cookie follows the session's sliding expiry.
	if (renewed) setSessionCookie(event, token, session.expiresAt);
	const roles = userRoles(rt.db, user.id);
	return {
		session,
		user,
		tenant: user.tenantId === null ? null : (findTenantById(rt.db, user.tenantId) ?? null),
		roles,
		secondFactorPending: session.secondFactorAt === null && needsSecondFactor(roles)
	};
}

/** Page guard: not signed in goes to the Comune's login, the wrong role gets a 403 page. */
export function requireRole(event: RequestEvent, ...roles: Role[]): Auth {
	const auth = event.locals.auth;
	if (!auth) {
		const slug = rememberedComune(event);
		redirect(303, slug ? `/login/${slug}` : '/');
	}
	if (auth.secondFactorPending) redirect(303, SECOND_FACTOR_PAGE);
	if (!auth.roles.some((r) => roles.includes(r.role))) error(403, 'Non hai i permessi per vedere questa pagina.');
	return auth;
}
