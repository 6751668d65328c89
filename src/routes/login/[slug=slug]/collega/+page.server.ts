import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { claimWithPassword, declineLink, findPendingLink, maskEmail } from '$server/auth/identity-link';
import { openSession } from '$server/auth/flows';
import { consumeRateLimit, rateRules } from '$server/auth/rate-limit';
import type { User } from '$server/auth/accounts';
import { findTenantBySlug } from '$server/tenants/tenants';
import { dropCookie, readCookie } from '$lib/server/cookies';
import { setSessionCookie } from '$lib/server/auth';

/** The held identity, only on the login page of its own Comune. */
function pendingOf(event: RequestEvent) {
	const { rt } = event.locals;
	const pending = findPendingLink(rt.db, rt.clock, readCookie(event, 'pendingLink'));
	return pending && pending.tenantId === findTenantBySlug(rt.db, event.params.slug!)?.id ? pending : null;
}

function signIn(event: RequestEvent, user: User, via: string): never {
	// Reached only after a SPID/CIE login: that identity is the strong factor.
	const session = openSession(event.locals.rt, user, event.getClientAddress(), via, { secondFactor: true });
	dropCookie(event, 'pendingLink');
	setSessionCookie(event, session.token, session.expiresAt);
	redirect(303, session.home);
}

/** The held identity was claimed or declined by another submit meanwhile: back to the login, with a word. */
function settled(event: RequestEvent): never {
	dropCookie(event, 'pendingLink');
	redirect(303, `/login/${event.params.slug}?errore=collegamento-scaduto`);
}

export const load: PageServerLoad = (event) => {
	const pending = pendingOf(event);
	if (!pending) redirect(303, `/login/${event.params.slug}?errore=collegamento-scaduto`);
	return { provider: pending.provider.toUpperCase(), maskedEmail: maskEmail(pending.candidate.email), name: `${pending.identity.givenName} ${pending.identity.familyName}` };
};

export const actions: Actions = {
	claim: async (event) => {
		const pending = pendingOf(event);
		if (!pending) redirect(303, `/login/${event.params.slug}`);
		const { rt } = event.locals;
		const decision = consumeRateLimit(rt.db, rt.clock, `login:acct:${pending.tenantId}:${pending.candidate.email}`, rateRules.loginAccount);
		if (!decision.allowed) return fail(429, { problem: `Troppi tentativi. Per sicurezza riprova fra ${Math.ceil(decision.retryAfterSeconds / 60)} minuti.` });
		const password = String((await event.request.formData()).get('password') ?? '').slice(0, 256);
		const result = await claimWithPassword(rt.db, rt.clock, pending, password, event.getClientAddress());
		if (result.status === 'gone') settled(event);
		if (result.status !== 'linked') return fail(400, { problem: 'Password non corretta.' });
		signIn(event, result.user, `${pending.provider}+password`);
	},
	separate: (event) => {
		const pending = pendingOf(event);
		if (!pending) redirect(303, `/login/${event.params.slug}`);
		const user = declineLink(event.locals.rt.db, event.locals.rt.clock, pending, event.getClientAddress());
		if (!user) settled(event);
		signIn(event, user, pending.provider);
	}
};
