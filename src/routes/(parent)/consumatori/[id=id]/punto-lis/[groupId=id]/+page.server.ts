import type { PageServerLoad } from './$types';
import { lisQrSvg } from '$server/payments/lis/account';
import { accountOf } from './account';

// Rendered on the server with the QR inline, so the page works as it is when cached offline.
export const load: PageServerLoad = async (event) => {
	const account = accountOf(event);
	const qrSvg = await lisQrSvg(account.code);
	return { account, qrSvg };
};
