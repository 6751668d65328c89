import type { PageServerLoad } from './$types';
import { qrSvg } from '$server/qr';
import { accountOf } from './account';

// Rendered on the server with the QR inline, so the page works as it is when cached offline.
export const load: PageServerLoad = async (event) => {
	const account = accountOf(event);
	return { account, qrSvg: await qrSvg(account.code) };
};
