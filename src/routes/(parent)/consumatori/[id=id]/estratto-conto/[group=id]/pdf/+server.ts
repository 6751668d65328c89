import type { RequestHandler } from './$types';
import { statementForDownload } from '$lib/server/statement-page';
import { renderStatementPdf } from '$server/ledger/statement-pdf';

/** GET ?dal=&al=: the estratto conto to print or keep, the same rows as the page. */
export const GET: RequestHandler = async (event) => {
	const { document, fileName } = await statementForDownload(event);
	return new Response(await renderStatementPdf(document), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `attachment; filename="${fileName}.pdf"`,
			'cache-control': 'no-store'
		}
	});
};
