import type { PageServerLoad } from './$types';
import { consumersPage, loadConsumer } from '../../consumers-page';

export const load: PageServerLoad = async (event) => {
	const page = consumersPage(event);
	return { ...page, consumer: (await loadConsumer(event)).consumer };
};
