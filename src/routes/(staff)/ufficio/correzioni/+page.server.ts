import type { PageServerLoad } from './$types';
import { correctionsPage } from '$lib/server/corrections-page';

export const load: PageServerLoad = (event) => correctionsPage(event, 'operator');
