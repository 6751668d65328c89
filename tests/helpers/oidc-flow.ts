import { testClient } from './client.js';

/*
 * The SPID/CIE authorization-code + PKCE walk over plain HTTP, the way a browser makes it:
 * every redirect followed by hand, one cookie jar for the app and a separate one for the test
 * provider (they run on different ports and must not see each other's cookies).
 */

export type AppClient = ReturnType<typeof testClient>;
export type EidProvider = 'spid' | 'cie';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Cookies of one origin, with their Path honoured: the provider scopes its interaction cookies by path. */
export class OriginJar {
	private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

	header(url: URL): string {
		return [...this.cookies.values()]
			.filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
			.map((c) => `${c.name}=${c.value}`)
			.join('; ');
	}

	store(url: URL, response: Response): void {
		for (const line of response.headers.getSetCookie()) {
			const [pair, ...attrs] = line.split(';').map((s) => s.trim());
			const eq = pair.indexOf('=');
			const name = pair.slice(0, eq);
			const value = pair.slice(eq + 1);
			const pathAttr = attrs.find((a) => /^path=/i.test(a));
			const path = pathAttr ? pathAttr.slice(5) : url.pathname.replace(/\/[^/]*$/, '') || '/';
			const key = `${name}|${path}`;
			const expired = attrs.some((a) => /^max-age=(0|-)/i.test(a) || /^expires=thu, 01 jan 1970/i.test(a));
			if (expired || value === '') this.cookies.delete(key);
			else this.cookies.set(key, { name, value, path });
		}
	}

	names(): string[] {
		return [...this.cookies.values()].map((c) => c.name);
	}
}

/** One request with this jar's cookies, no automatic redirects. */
export async function jarFetch(jar: OriginJar, url: URL, init: RequestInit = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	const cookie = jar.header(url);
	if (cookie) headers.set('cookie', cookie);
	const response = await fetch(url, { ...init, headers, redirect: 'manual' });
	jar.store(url, response);
	return response;
}

export function locationOf(response: Response, base: URL | string): URL {
	const location = response.headers.get('location');
	if (!REDIRECTS.has(response.status) || !location) {
		throw new Error(`expected a redirect from ${base}, got HTTP ${response.status}`);
	}
	return new URL(location, base);
}

/**
 * Follows redirects inside `origin` with `jar`, starting from `response` (the answer for `url`).
 * Stops at the first answer that is not a redirect, or at the first redirect leaving the origin.
 */
async function walk(jar: OriginJar, url: URL, response: Response): Promise<{ response: Response; url: URL; leftTo?: URL }> {
	for (let hops = 0; hops < 10; hops++) {
		if (!REDIRECTS.has(response.status)) return { response, url };
		const next = locationOf(response, url);
		if (next.origin !== url.origin) return { response, url, leftTo: next };
		url = next;
		response = await jarFetch(jar, url);
	}
	throw new Error(`too many redirects, last at ${url}`);
}

/** Step 1 at the app: `/login/<slug>/<provider>` must answer 303 to the provider's authorization endpoint. */
export async function beginEidLogin(app: AppClient, appUrl: string, slug: string, provider: EidProvider = 'spid'): Promise<URL> {
	const response = await app.fetch(`${appUrl}/login/${slug}/${provider}`);
	if (response.status !== 303) throw new Error(`/login/${slug}/${provider} answered ${response.status}, not 303`);
	const target = locationOf(response, appUrl);
	if (target.origin === new URL(appUrl).origin) throw new Error(`expected a redirect to the provider, got ${target}`);
	return target;
}

export interface ProviderVisit {
	jar: OriginJar;
	/** the provider's login page, where a test identity is chosen */
	interactionUrl: URL;
	html: string;
}

/** Step 2 at the provider: from the authorization URL, through its redirects, to its login page. */
export async function openProviderLogin(authorizationUrl: URL, jar = new OriginJar()): Promise<ProviderVisit> {
	const { response, url, leftTo } = await walk(jar, authorizationUrl, await jarFetch(jar, authorizationUrl));
	if (leftTo) throw new Error(`the provider sent the browser away before its login page: ${leftTo}`);
	if (response.status !== 200 || !/^\/interaction\//.test(url.pathname)) {
		throw new Error(`expected the provider's interaction page, got HTTP ${response.status} at ${url}`);
	}
	return { jar, interactionUrl: url, html: await response.text() };
}

/**
 * Step 3 at the provider: log in as a test identity (or cancel), then follow the provider's
 * redirects until they point back out of it. Returns that URL (normally the app's callback).
 */
export async function finishAtProvider(visit: ProviderVisit, choice: { sub: string } | 'abort'): Promise<URL> {
	const action = new URL(`${visit.interactionUrl.pathname}/${choice === 'abort' ? 'abort' : 'login'}`, visit.interactionUrl);
	const body = choice === 'abort' ? '' : new URLSearchParams({ sub: choice.sub }).toString();
	const posted = await jarFetch(visit.jar, action, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', origin: action.origin },
		body
	});
	const { response, url, leftTo } = await walk(visit.jar, action, posted);
	if (!leftTo) throw new Error(`the provider did not send the browser back: HTTP ${response.status} at ${url}\n${await response.text()}`);
	return leftTo;
}

export interface EidLogin {
	/** the app-side client: its cookie jar holds `ma_session` when the login worked */
	app: AppClient;
	/** where the provider sent the browser back to (the app's callback, with code and state) */
	callbackUrl: URL;
	/** the app's answer to the callback */
	landing: Response;
	/** where that answer redirects, relative to the app */
	landingUrl: URL;
	visit: ProviderVisit;
}

/** The whole walk for one test identity (or a cancel), ending with the app's answer to the callback. */
export async function eidLogin(
	appUrl: string,
	slug: string,
	choice: { sub: string } | 'abort',
	opts: { provider?: EidProvider; app?: AppClient } = {}
): Promise<EidLogin> {
	const app = opts.app ?? testClient(appUrl);
	const authorizationUrl = await beginEidLogin(app, appUrl, slug, opts.provider);
	const visit = await openProviderLogin(authorizationUrl);
	const callbackUrl = await finishAtProvider(visit, choice);
	const landing = await app.fetch(callbackUrl.href);
	return { app, callbackUrl, landing, landingUrl: locationOf(landing, appUrl), visit };
}

/** The SPID test identities' `sub`s (server/auth/oidc-dev-provider.ts). */
export const testSubs = {
	mario: 'test-mario-bianchi',
	paolo: 'test-paolo-conti',
	giulia: 'test-giulia-neri'
} as const;
