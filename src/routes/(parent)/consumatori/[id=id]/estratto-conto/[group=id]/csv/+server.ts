import type { RequestHandler } from './$types';
import { statementForDownload } from '$lib/server/statement-page';
import { statementCsv } from '$server/ledger/statement-csv';

/** GET ?dal=&al=: the estratto conto for a spreadsheet, the same rows as the page. */
export const GET: RequestHandler = async (event) => {
	const { document, fileName } = await statementForDownload(event);
	return new Response(statementCsv(document), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${fileName}.csv"`,
			'cache-control': 'no-store'
		}
	});
};
