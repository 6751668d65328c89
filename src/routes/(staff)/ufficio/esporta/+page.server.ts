import type { PageServerLoad } from './$types';
import { exportTables } from '$server/export/tables';
import { operatorPage } from '../pagamenti/office-page';

export const load: PageServerLoad = (event) => ({
	...operatorPage(event).page,
	tables: exportTables.map(({ file, title, description, columns }) => ({ file, title, description, columns: columns.map((c) => c.name) }))
});
