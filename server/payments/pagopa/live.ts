import type { Payment } from '../credit.js';
import type { GatewayEnte, GatewayLine, PagopaGateway } from './gateway.js';
import { callPagopa, PagopaError } from './errors.js';

/** Where the GPD and Checkout APIs are and how to call them: pagoPA's, or the simulator's. */
export interface PagopaEndpoints {
	/** e.g. https://api.platform.pagopa.it/gpd/debt-positions-service/v1 */
	gpdBaseUrl: string;
	/** e.g. https://api.platform.pagopa.it */
	checkoutBaseUrl: string;
	gpdSubscriptionKey: string;
	checkoutSubscriptionKey: string;
	iban: string;
	transferCategory: string;
	fetch?: typeof fetch;
	timeoutMs?: number;
}

type ReturnUrls = { returnOkUrl: string; returnCancelUrl: string; returnErrorUrl: string };

/** The IUV is the notice number without its aux digit (DESIGN.md §5). */
export const iuvOf = (noticeNumber: string) => noticeNumber.slice(1);

/** One debt position per payment, so the iupd is derived from the IUV: a retry sends the same one. */
export const iupdOf = (ente: GatewayEnte, payment: Payment) => `${ente.codiceFiscale}-${iuvOf(noticeOf(payment))}`;

function noticeOf(payment: Payment): string {
	if (!payment.noticeNumber || !payment.dueDate) throw new Error(`payment ${payment.id} has no notice number or due date: not a pagoPA payment`);
	return payment.noticeNumber;
}

/** GPD's body: one payment option, one transfer to the ente, payable after the due date (the ente flags it). */
export function debtPositionRequest(ente: GatewayEnte, payment: Payment, transfer: { iban: string; category: string }) {
	const iuv = iuvOf(noticeOf(payment));
	return {
		iupd: iupdOf(ente, payment),
		type: 'F' as const,
		fiscalCode: payment.payerFiscalCode,
		fullName: payment.payerName,
		companyName: ente.name,
		switchToExpired: false,
		paymentOption: [
			{
				iuv,
				amount: payment.amountCents,
				description: payment.description,
				dueDate: `${payment.dueDate}T23:59:59`,
				isPartialPayment: false,
				transfer: [
					{
						idTransfer: '1',
						amount: payment.amountCents,
						organizationFiscalCode: ente.codiceFiscale,
						remittanceInformation: payment.description,
						category: transfer.category,
						iban: transfer.iban
					}
				]
			}
		]
	};
}

/** Checkout's body: the one notice of the cart (several children, one payment, one fee). */
export function cartRequest(ente: GatewayEnte, payment: Payment, lines: GatewayLine[], returnUrls: ReturnUrls, emailNotice: string | null) {
	const names = [...new Set(lines.map((l) => l.consumerName))].join(', ');
	return {
		paymentNotices: [
			{
				noticeNumber: noticeOf(payment),
				fiscalCode: ente.codiceFiscale,
				amount: payment.amountCents,
				companyName: ente.name.slice(0, 140),
				description: (names && !payment.description.includes(names) ? `${payment.description} (${names})` : payment.description).slice(0, 140)
			}
		],
		returnUrls,
		...(emailNotice ? { emailNotice } : {}),
		idCart: noticeOf(payment)
	};
}

const base = (url: string) => url.replace(/\/+$/, '');

export function livePagopaGateway(endpoints: PagopaEndpoints): PagopaGateway {
	const fetchFn = endpoints.fetch ?? fetch;
	const timeoutMs = endpoints.timeoutMs ?? 15_000;
	const positions = (ente: GatewayEnte) => `${base(endpoints.gpdBaseUrl)}/organizations/${encodeURIComponent(ente.codiceFiscale)}/debtpositions`;

	async function publishDebtPosition(ente: GatewayEnte, payment: Payment): Promise<void> {
		const body = debtPositionRequest(ente, payment, { iban: endpoints.iban, category: endpoints.transferCategory });
		const key = endpoints.gpdSubscriptionKey;
		const created = await callPagopa(fetchFn, `${positions(ente)}?toPublish=true`, { method: 'POST', key, body, timeoutMs });
		if (created.status === 201 || created.status === 200) return;
		if (created.status !== 409) throw new PagopaError('REJECTED', `GPD: HTTP ${created.status} ${JSON.stringify(created.json())}`);
		// A retry after a lost answer meets its own position: the same IUV and amount is a success.
		const found = await callPagopa(fetchFn, `${positions(ente)}/${encodeURIComponent(body.iupd)}`, { method: 'GET', key, timeoutMs });
		const existing = found.status === 200 ? (found.json() as { paymentOption?: { iuv?: string; amount?: number }[] }) : null;
		const option = existing?.paymentOption?.find((o) => o.iuv === body.paymentOption[0].iuv);
		if (!option || option.amount !== payment.amountCents) {
			throw new PagopaError('CONFLICT', `GPD: ${body.iupd} esiste già con dati diversi (HTTP ${found.status})`);
		}
	}

	return {
		publishDebtPosition,
		async startCheckout(ente, payment, lines, returnUrls, emailNotice) {
			await publishDebtPosition(ente, payment);
			const body = cartRequest(ente, payment, lines, returnUrls, emailNotice);
			const url = `${base(endpoints.checkoutBaseUrl)}/checkout/ec/v1/carts`;
			const answer = await callPagopa(fetchFn, url, { method: 'POST', key: endpoints.checkoutSubscriptionKey, body, timeoutMs });
			if (answer.status !== 302 || !answer.location) {
				throw new PagopaError('REJECTED', `Checkout: HTTP ${answer.status}${answer.location ? '' : ' senza Location'}`);
			}
			return { location: new URL(answer.location, url).href };
		}
	};
}
