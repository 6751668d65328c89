import type { PageServerLoad } from './$types';
import { operatorPage } from '../office-page';

export const load: PageServerLoad = (event) => operatorPage(event).page;
