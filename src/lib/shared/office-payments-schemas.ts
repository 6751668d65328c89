import { z } from 'zod';
import { parseEuroToCents } from './money.js';
import { isoDate } from './schemas.js';

/*
 * Inputs of the ufficio's money pages (payments list, counter top-ups, refunds and transfers,
 * reconciliation, payments pause). Objects are strict, like every other input.
 */

export const paymentStatusNames = ['created', 'pending', 'paid', 'expired', 'cancelled', 'flagged'] as const;
export const paymentChannelNames = ['pagopa_online', 'pagopa_avviso', 'lis', 'sportello'] as const;

export const paymentStatusLabels: Record<(typeof paymentStatusNames)[number], string> = {
	created: 'Creato',
	pending: 'In attesa',
	paid: 'Pagato',
	expired: 'Scaduto',
	cancelled: 'Annullato',
	flagged: 'Da verificare'
};
export const paymentChannelLabels: Record<(typeof paymentChannelNames)[number], string> = {
	pagopa_online: 'pagoPA online',
	pagopa_avviso: 'pagoPA avviso',
	lis: 'Punto LIS',
	sportello: 'Sportello'
};

/** The most an operator moves in one go: a typo of two zeros is refused rather than posted. */
export const MAX_OPERATOR_AMOUNT_CENTS = 500_000;

const id = z.number({ error: 'Identificativo non valido' }).int().positive();
const page = z.number({ error: 'Pagina non valida' }).int().min(1, { error: 'Pagina non valida' }).max(100_000, { error: 'Pagina non valida' });

/** An amount typed as on a receipt ("20", "20,50", "1.234,56"), to cents. */
const amount = z
	.string({ error: 'Importo: campo obbligatorio' })
	.max(20, { error: 'Importo non valido (es. 20,00)' })
	.transform((text, ctx) => {
		const cents = parseEuroToCents(text);
		if (cents === null) {
			ctx.issues.push({ code: 'custom', message: 'Importo non valido (es. 20,00)', input: text });
			return z.NEVER;
		}
		return cents;
	})
	.pipe(
		z
			.number()
			.min(1, { error: 'Importo: deve essere maggiore di zero' })
			.max(MAX_OPERATOR_AMOUNT_CENTS, { error: 'Importo: al massimo 5.000,00 € per operazione' })
	);

const reason = z
	.string({ error: 'Motivo: campo obbligatorio' })
	.trim()
	.min(1, { error: 'Motivo: campo obbligatorio' })
	.max(200, { error: 'Motivo: al massimo 200 caratteri' });

/** The form's own id, made when it is shown: a double click or a resend posts once. */
const requestId = z.uuid({ error: 'Identificativo della richiesta non valido: ricarica la pagina' });

export const PaymentListInput = z.strictObject({
	page,
	sort: z.enum(['date', 'amount', 'state'], { error: 'Ordinamento non valido' }),
	dir: z.enum(['asc', 'desc'], { error: 'Verso non valido' }),
	status: z.enum(paymentStatusNames, { error: 'Stato non valido' }).nullable(),
	channel: z.enum(paymentChannelNames, { error: 'Canale non valido' }).nullable(),
	q: z.string({ error: 'Ricerca non valida' }).trim().max(60, { error: 'Testo di ricerca troppo lungo (al massimo 60 caratteri)' })
});
export type PaymentListInput = z.infer<typeof PaymentListInput>;

export const PageInput = z.strictObject({ page });

export const ConsumerAccountsInput = z.strictObject({ consumerId: id });

export const CounterTopupInput = z.strictObject({
	consumerId: id,
	serviceGroupId: id,
	amount,
	method: z.enum(['contanti', 'pos'], { error: 'Metodo non valido: contanti o POS' }),
	receiptNumber: z
		.string({ error: 'Numero di ricevuta: campo obbligatorio' })
		.trim()
		.min(1, { error: 'Numero di ricevuta: campo obbligatorio' })
		.max(40, { error: 'Numero di ricevuta: al massimo 40 caratteri' })
		.regex(/^[\p{L}\p{N}][\p{L}\p{N} ./_-]*$/u, { error: 'Numero di ricevuta: solo lettere, cifre, spazi e . / _ -' })
});
export type CounterTopupInput = z.input<typeof CounterTopupInput>;

export const RefundInput = z.strictObject({ requestId, consumerId: id, serviceGroupId: id, amount, reason });
export type RefundInput = z.input<typeof RefundInput>;

export const TransferInput = z
	.strictObject({ requestId, fromConsumerId: id, toConsumerId: id, serviceGroupId: id, amount, reason })
	.refine((t) => t.fromConsumerId !== t.toConsumerId, { error: 'Scegli un altro consumatore: il giroconto va fra due conti diversi', path: ['toConsumerId'] });
export type TransferInput = z.input<typeof TransferInput>;

export const ReconciliationInput = z.strictObject({ date: isoDate });

export const SetPauseInput = z
	.strictObject({
		from: isoDate,
		resumeOn: isoDate,
		message: z.string({ error: 'Messaggio: testo non valido' }).trim().max(500, { error: 'Messaggio: al massimo 500 caratteri' })
	})
	.refine((p) => p.from < p.resumeOn, { error: 'La ripresa deve venire dopo l’inizio della pausa', path: ['resumeOn'] });
export type SetPauseInput = z.infer<typeof SetPauseInput>;
