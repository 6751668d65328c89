import type { PageServerLoad } from './$types';
import { adminPage } from '../../admin-page';

export const load: PageServerLoad = (event) => adminPage(event);
