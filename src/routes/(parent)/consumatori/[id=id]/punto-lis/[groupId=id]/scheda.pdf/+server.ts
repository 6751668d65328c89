import type { RequestHandler } from './$types';
import { renderPuntoLisPdf } from '$server/payments/lis/pdf';
import { foldForSearch } from '$lib/shared/text';
import { accountOf } from '../account';

export const GET: RequestHandler = async (event) => {
	const account = accountOf(event);
	const name = foldForSearch(`punto lis ${account.consumerName} ${account.serviceGroup}`).replace(/[^a-z0-9]+/g, '-');
	return new Response(Buffer.from(await renderPuntoLisPdf(account)), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `attachment; filename="${name}.pdf"`,
			'cache-control': 'no-store'
		}
	});
};
