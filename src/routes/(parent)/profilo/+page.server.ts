import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';

export const load: PageServerLoad = async (event) => ({ profile: await serverCaller(event).profile.get() });
