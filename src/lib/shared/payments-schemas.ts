import { z } from 'zod';
import { formatCents } from './money.js';

/*
 * The Ricarica cart, shared by the page (the same messages next to each field, before sending)
 * and the server (which validates again: the cart lives in the browser's sessionStorage).
 */

z.config(z.locales.it());

export const RICARICA_MIN_CENTS = 100;
export const RICARICA_MAX_CENTS = 100_000;
export const CART_MAX_LINES = 10;
export const QUICK_AMOUNTS_CENTS = [2_000, 5_000, 10_000] as const;

const id = z.number({ error: 'Identificativo non valido' }).int().positive();

export const amountError = `Importo: da ${formatCents(RICARICA_MIN_CENTS)} a ${formatCents(RICARICA_MAX_CENTS)}`;

export const CartLineInput = z.strictObject({
	consumerId: id,
	serviceGroupId: id,
	amountCents: z
		.number({ error: 'Importo: campo obbligatorio' })
		.int({ error: 'Importo: in centesimi interi' })
		.min(RICARICA_MIN_CENTS, { error: amountError })
		.max(RICARICA_MAX_CENTS, { error: amountError })
});
export type CartLineInput = z.infer<typeof CartLineInput>;

export const paymentChannelChoice = z.enum(['pagopa_online', 'pagopa_avviso'], { error: 'Modalità di pagamento: online o avviso' });

export const CreateCartInput = z.strictObject({
	lines: z
		.array(CartLineInput, { error: 'Carrello non valido' })
		.min(1, { error: 'Il carrello è vuoto: aggiungi almeno una ricarica' })
		.max(CART_MAX_LINES, { error: `Al massimo ${CART_MAX_LINES} ricariche per pagamento` })
		.superRefine((lines, ctx) => {
			const seen = new Set<string>();
			lines.forEach((l, i) => {
				const key = `${l.consumerId}:${l.serviceGroupId}`;
				if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: 'La stessa ricarica è due volte nel carrello: tienine una sola' });
				seen.add(key);
			});
		}),
	channel: paymentChannelChoice,
	declaration: z.literal(true, { error: 'Per continuare devi dichiarare di aver letto l’informativa e le condizioni del servizio' })
});
export type CreateCartInput = z.infer<typeof CreateCartInput>;

export const PaymentIdInput = z.strictObject({ paymentId: id });

/** The first problem of an amount typed by a parent, or null when it can go in the cart. */
export function amountProblem(cents: number | null): string | null {
	if (cents === null) return 'Importo non valido: scrivi per esempio 25 oppure 25,50';
	if (cents < RICARICA_MIN_CENTS || cents > RICARICA_MAX_CENTS) return amountError;
	return null;
}
