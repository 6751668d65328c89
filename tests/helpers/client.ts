import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../server/trpc/app.js';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { DEMO_PASSWORD } from '../../server/seed/demo.js';
import { SECOND_FACTOR_PAGE } from '../../server/auth/home.js';
import { authenticatorCode } from './second-factor.js';

export { DEMO_PASSWORD };

/** A browser-like caller: keeps its cookies, sends the Origin of the app like a same-site page. */
export function testClient(baseUrl: string) {
	const jar = new Map<string, string>();
	const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
	const jarFetch: typeof fetch = async (input, init) => {
		const headers = new Headers(init?.headers);
		if (jar.size) headers.set('cookie', cookieHeader());
		headers.set('origin', baseUrl);
		const response = await fetch(input, { ...init, headers, redirect: 'manual' });
		for (const line of response.headers.getSetCookie()) {
			const [pair, ...attrs] = line.split(';');
			const [name, ...value] = pair.split('=');
			const expired = attrs.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
			if (expired || value.join('=') === '') jar.delete(name.trim());
			else jar.set(name.trim(), value.join('='));
		}
		return response;
	};
	const trpc = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${baseUrl}/api/trpc`, fetch: jarFetch })] });
	return { trpc, fetch: jarFetch, jar, cookieHeader };
}

export type TestClient = ReturnType<typeof testClient>;

/** The demo platform admin: the one account that signs in without a Comune. */
export const DEMO_ADMIN = 'admin@mensa-aperta.example';

/**
 * A client signed in as `email`, for tests that need someone signed in rather than test the sign-in:
 * every such test goes through here, so a new step of the sign-in is completed in one place.
 * `tenantSlug`: the Comune of the login page, 'mazze' by default, none for the platform admin
 * (null signs in without one). `home`: where the server sends the user next.
 */
export async function signedIn(baseUrl: string, email: string, { tenantSlug, password = DEMO_PASSWORD }: { tenantSlug?: string | null; password?: string } = {}): Promise<TestClient & { home: string }> {
	const slug = tenantSlug === undefined ? (email === DEMO_ADMIN ? null : 'mazze') : tenantSlug;
	const key = `${baseUrl}|${slug}|${email}`;
	const session = kept.get(key);
	if (session) {
		// A browser kept signed in: the server takes each authenticator code once, so staff are not asked again.
		const again = testClient(baseUrl);
		for (const [name, value] of session.cookies) again.jar.set(name, value);
		if (await again.trpc.auth.me.query()) return Object.assign(again, { home: session.home });
	}
	const client = testClient(baseUrl);
	let { home } = await client.trpc.auth.login.mutate({ ...(slug === null ? {} : { tenantSlug: slug }), email, password });
	if (home === SECOND_FACTOR_PAGE) home = await passSecondFactor(client, baseUrl, email);
	kept.set(key, { cookies: new Map(client.jar), home });
	return Object.assign(client, { home });
}

const kept = new Map<string, { cookies: Map<string, string>; home: string }>();
// Staff invited during a test enrol their own authenticator: its key, as the code page gave it.
const enrolledKeys = new Map<string, Uint8Array>();

/** The code step after a staff member's password: enrols the authenticator the first time. */
async function passSecondFactor(client: TestClient, baseUrl: string, email: string): Promise<string> {
	const step = await client.trpc.auth.secondFactor.query();
	if (step.status === 'enrol') enrolledKeys.set(`${baseUrl}|${email}`, decodeBase32IgnorePadding(step.secret));
	const code = await authenticatorCode(baseUrl, email, enrolledKeys.get(`${baseUrl}|${email}`));
	return (await client.trpc.auth.proveSecondFactor.mutate({ code })).home;
}

/**
 * The cast of the back-office tests, each signed in: Mazzè's ufficio (operator), school staff
 * (infanzia), kitchen and a guardian (Maria), and the ufficio of another Comune (Chiusi).
 */
export async function signedInCast(baseUrl: string) {
	const [ufficio, scuola, cucina, genitore, chiusi] = await Promise.all([
		signedIn(baseUrl, 'ufficio@mazze.example.it'),
		signedIn(baseUrl, 'infanzia@mazze.example.it'),
		signedIn(baseUrl, 'cucina@mazze.example.it'),
		signedIn(baseUrl, 'maria.rossi@example.com'),
		signedIn(baseUrl, 'ufficio@chiusi.example.it', { tenantSlug: 'chiusi-della-verna' })
	]);
	return { ufficio, scuola, cucina, genitore, chiusi };
}

export interface FailedCall {
	message: string;
	data?: { httpStatus?: number; code?: string; reason?: string; fieldErrors?: Record<string, string> };
}

/** The tRPC error a call must end with; anything else fails the test. */
export async function failure(call: Promise<unknown>): Promise<FailedCall> {
	try {
		await call;
	} catch (e) {
		if (e instanceof TRPCClientError) return e as FailedCall;
		throw e;
	}
	throw new Error('expected the call to fail');
}
