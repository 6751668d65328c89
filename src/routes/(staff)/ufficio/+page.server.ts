import type { PageServerLoad } from './$types';
import { staffPage } from '$lib/server/staff';
import { requireRole } from '$lib/server/auth';
import { staffNav } from '$lib/server/staff-nav';

export const load: PageServerLoad = (event) => ({ ...staffPage(event, 'operator'), links: staffNav(requireRole(event, 'operator').roles) });
