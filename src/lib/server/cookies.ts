import type { Cookies } from '@sveltejs/kit';

/** Mensa Aperta's cookies, each with the path it is sent on. All are HttpOnly and SameSite=Lax. */
const appCookies = {
	session: { name: 'ma_session', path: '/' },
	/** the last Comune whose login page was opened: not personal, it only saves the search next time */
	comune: { name: 'ma_comune', path: '/' },
	/** binds the SPID/CIE callback to the browser that started the login (no login CSRF) */
	oidcState: { name: 'ma_oidc_state', path: '/auth/oidc' },
	/** a SPID/CIE identity waiting for its owner to claim an existing account */
	pendingLink: { name: 'ma_pending_link', path: '/login' }
} as const;

export type AppCookie = keyof typeof appCookies;

interface CookieEvent {
	cookies: Cookies;
	url: URL;
}

/*
 * Behind https each name carries the prefix browsers enforce: __Host- (Secure, Path=/, no
 * Domain, so no subdomain can set or shadow it), or __Secure- for one scoped to a path. Plain
 * http (a developer's machine, the tests) allows neither: there the bare name.
 */
function nameOf(which: AppCookie, url: URL): string {
	const { name, path } = appCookies[which];
	if (url.protocol !== 'https:') return name;
	return path === '/' ? `__Host-${name}` : `__Secure-${name}`;
}

export function readCookie(event: CookieEvent, which: AppCookie): string | undefined {
	return event.cookies.get(nameOf(which, event.url));
}

export function writeCookie(event: CookieEvent, which: AppCookie, value: string, lifetime: { maxAge: number } | { expires: Date }): void {
	event.cookies.set(nameOf(which, event.url), value, { path: appCookies[which].path, httpOnly: true, sameSite: 'lax', secure: event.url.protocol === 'https:', ...lifetime });
}

export function dropCookie(event: CookieEvent, which: AppCookie): void {
	event.cookies.delete(nameOf(which, event.url), { path: appCookies[which].path, secure: event.url.protocol === 'https:' });
}
