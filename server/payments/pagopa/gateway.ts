import type { Payment } from '../credit.js';

/** What pagoPA needs to know of one cart line, for the debt position and the Checkout cart. */
export interface GatewayLine {
	consumerName: string;
	groupName: string;
	amountCents: number;
}

export interface GatewayEnte {
	name: string;
	codiceFiscale: string;
}

/**
 * The pagoPA side of a payment, whatever answers it: the embedded simulator or the real
 * GPD + Checkout APIs. Selected per Comune by payment settings (mode `simulator` | `live`).
 * Owner of the implementation: server/payments/pagopa/ (adapter and simulator).
 */
export interface PagopaGateway {
	/** Publishes the debt position (GPD); a retry that meets "already there" is a success. */
	publishDebtPosition(ente: GatewayEnte, payment: Payment, lines: GatewayLine[]): Promise<void>;
	/**
	 * Publishes the debt position and asks Checkout for a cart (idCart = the notice number): the
	 * URL to send the guardian to. Failures throw PagopaError, with a message for the guardian.
	 */
	startCheckout(
		ente: GatewayEnte,
		payment: Payment,
		lines: GatewayLine[],
		returnUrls: { returnOkUrl: string; returnCancelUrl: string; returnErrorUrl: string },
		emailNotice: string | null
	): Promise<{ location: string }>;
}
