import type { PageServerLoad } from './$types';
import { staffPage } from '$lib/server/staff';

export const load: PageServerLoad = (event) => staffPage(event, 'school_staff');
