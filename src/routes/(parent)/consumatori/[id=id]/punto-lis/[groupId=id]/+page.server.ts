import QRCode from 'qrcode';
import type { PageServerLoad } from './$types';
import { PUNTO_LIS_STEPS } from '$server/payments/lis/pdf';
import { accountOf } from './account';

// Rendered on the server with the QR inline, so the page works as it is when cached offline.
export const load: PageServerLoad = async (event) => {
	const account = accountOf(event);
	const qrSvg = await QRCode.toString(account.code, { type: 'svg', errorCorrectionLevel: 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } });
	return { account, qrSvg, steps: PUNTO_LIS_STEPS };
};
