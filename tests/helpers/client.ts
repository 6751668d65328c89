import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../server/trpc/app.js';

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
