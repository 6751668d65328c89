import { fail, redirect } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import type { Actions, PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { homeFor } from '$server/auth/home';
import { qrSvg } from '$server/qr';

/** Between the password and the code: set up the authenticator the first time, then the code. */
export const load: PageServerLoad = async (event) => {
	const auth = event.locals.auth;
	if (!auth) redirect(303, '/');
	const step = await serverCaller(event).auth.secondFactor();
	// After the enrolling POST the page still shows, once, the recovery codes the action returned.
	if (step.status === 'passed' && event.request.method !== 'POST') redirect(303, homeFor(auth.roles));
	return {
		userName: `${auth.user.givenName} ${auth.user.familyName}`,
		tenantName: auth.tenant?.name ?? null,
		enrol: step.status === 'enrol' ? { qrSvg: await qrSvg(step.uri), secret: step.secret.match(/.{1,4}/g)!.join(' ') } : null
	};
};

export const actions: Actions = {
	default: async (event) => {
		const code = String((await event.request.formData()).get('code') ?? '');
		try {
			const proved = await serverCaller(event).auth.proveSecondFactor({ code });
			// The recovery codes are shown once, on this page; afterwards straight home.
			if (!proved.recoveryCodes) redirect(303, proved.home);
			return { recoveryCodes: proved.recoveryCodes, home: proved.home };
		} catch (e) {
			if (!(e instanceof TRPCError)) throw e;
			return fail(e.code === 'TOO_MANY_REQUESTS' ? 429 : 400, { problem: e.message });
		}
	}
};
