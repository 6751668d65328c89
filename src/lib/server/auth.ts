import type { Cookies, RequestEvent } from '@sveltejs/kit';
import { redirect, error } from '@sveltejs/kit';
import { validateSessionToken } from '$server/auth/session';
import { userRoles } from '$server/auth/accounts';
import { findTenantById } from '$server/tenants/tenants';
import type { Role } from '$server/db/schema';
import type { Auth } from '$server/trpc/context';

export const SESSION_COOKIE = 'ma_session';
/** The last Comune whose login page was opened: not personal, it only saves the search next time. */
export const COMUNE_COOKIE = 'ma_comune';

export function rememberComune(event: { cookies: Cookies; url: URL }, slug: string): void {
	event.cookies.set(COMUNE_COOKIE, slug, { path: '/', httpOnly: true, sameSite: 'lax', secure: event.url.protocol === 'https:', maxAge: 400 * 24 * 3600 });
}

export function setSessionCookie(event: { cookies: Cookies; url: URL }, token: string, expiresAt: Date): void {
	event.cookies.set(SESSION_COOKIE, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: event.url.protocol === 'https:',
		expires: expiresAt
	});
}

export function clearSessionCookie(event: { cookies: Cookies }): void {
	event.cookies.delete(SESSION_COOKIE, { path: '/' });
}

export function resolveAuth(event: RequestEvent): Auth | null {
	const token = event.cookies.get(SESSION_COOKIE);
	if (!token) return null;
	const { rt } = event.locals;
	const { session, user, renewed } = validateSessionToken(rt.db, rt.clock, token);
	if (!session) {
		clearSessionCookie(event);
		return null;
	}
	// The cookie follows the session's sliding expiry.
	if (renewed) setSessionCookie(event, token, session.expiresAt);
	return {
		session,
		user,
		tenant: user.tenantId === null ? null : (findTenantById(rt.db, user.tenantId) ?? null),
		roles: userRoles(rt.db, user.id)
	};
}

/** Page guard: not signed in goes to the Comune's login, the wrong role gets a 403 page. */
export function requireRole(event: RequestEvent, ...roles: Role[]): Auth {
	const auth = event.locals.auth;
	if (!auth) {
		const slug = event.cookies.get(COMUNE_COOKIE);
		redirect(303, slug && /^[a-z0-9-]{1,60}$/.test(slug) ? `/login/${slug}` : '/');
	}
	if (!auth.roles.some((r) => roles.includes(r.role))) error(403, 'Non hai i permessi per vedere questa pagina.');
	return auth;
}
