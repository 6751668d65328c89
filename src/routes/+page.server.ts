import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { rememberedComune } from '$lib/server/auth';
import { loginProblemMessage } from '$lib/shared/login-problems';

// Without JavaScript the picker still works as a GET form: /?q=maz
export const load: PageServerLoad = async (event) => {
	const q = (event.url.searchParams.get('q') ?? '').slice(0, 60);
	const remembered = rememberedComune(event);
	const last = remembered ? await serverCaller(event).tenants.bySlug({ slug: remembered }).catch(() => null) : null;
	return {
		q,
		results: q ? await serverCaller(event).tenants.search({ q }) : [],
		last: last && { slug: last.slug, name: last.name },
		problem: loginProblemMessage(event.url.searchParams.get('errore'))
	};
};
