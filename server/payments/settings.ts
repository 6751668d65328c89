import { z } from 'zod';
import type { IsoDate } from '../../src/lib/shared/dates.js';
import { formatDateIt } from '../../src/lib/shared/dates.js';
import { isoDate } from '../../src/lib/shared/schemas.js';

/** The receipt and Punto LIS secrets are shared keys: anything shorter is guessable. */
export const SHARED_SECRET_MIN_LENGTH = 32;

/**
 * The payment side of a Comune, stored as JSON in tenants.payment_settings. Absent fields take
 * these defaults, so a Comune created before this code runs on the embedded simulators.
 */
export const PaymentSettings = z.object({
	/** the ente's codice di segregazione: two digits of every IUV (DESIGN.md §5) */
	segregationCode: z.string().regex(/^\d{2}$/).default('01'),
	/** days from issue to the avviso's due date */
	avvisoDueDays: z.number().int().min(1).max(365).default(30),
	pagopa: z
		.discriminatedUnion('mode', [
			z.object({ mode: z.literal('simulator') }),
			z.object({
				mode: z.literal('live'),
				/** e.g. https://api.platform.pagopa.it */
				checkoutBaseUrl: z.url(),
				gpdBaseUrl: z.url(),
				/** sealed (tenant-secrets.ts); null once forgotten with the secrets key (README), until the admin types it again */
				checkoutSubscriptionKey: z.string().min(1).nullable().default(null),
				gpdSubscriptionKey: z.string().min(1).nullable().default(null),
				/** where GPD transfers the money: the ente's IBAN registered on pagoPA */
				iban: z.string().regex(/^IT\d{2}[A-Z]\d{10}[0-9A-Z]{12}$/),
				/** the transfer's taxonomy code (pagoPA "category"), e.g. 9/0101108TS/ */
				transferCategory: z.string().min(1)
			})
		])
		.default({ mode: 'simulator' }),
	/** shared secret of the receipt receiver: pagoPA (or the simulator) sends it as a bearer token */
	receiptSecret: z.string().min(SHARED_SECRET_MIN_LENGTH).nullable().default(null),
	/** HMAC-SHA256 key of the Punto LIS notifications */
	lisSecret: z.string().min(SHARED_SECRET_MIN_LENGTH).nullable().default(null),
	/** simulator: /simulatore-lis/ signs fake payments with lisSecret; live: only the LIS network's notifications */
	lis: z.object({ mode: z.enum(['simulator', 'live']) }).default({ mode: 'simulator' }),
	/** payments switched off from `from` until the day before `resumeOn` (the seed's 22/12 → 10/01) */
	pause: z.object({ from: isoDate, resumeOn: isoDate, message: z.string().max(500) }).nullable().default(null)
});
export type PaymentSettings = z.infer<typeof PaymentSettings>;

/** A corrupt stored value must not stop payments silently: it throws, and the operator sees it. */
export function readPaymentSettings(stored: string): PaymentSettings {
	return PaymentSettings.parse(JSON.parse(stored || '{}'));
}

/**
 * For the admin's form, which must open even on a value damaged by hand, so that saving the form
 * is the way to mend it: the defaults, and what was wrong with the stored value.
 */
export function paymentSettingsForEditing(stored: string): { settings: PaymentSettings; problem: string | null } {
	let json: unknown;
	try {
		json = JSON.parse(stored || '{}');
	} catch {
		return { settings: PaymentSettings.parse({}), problem: 'non sono JSON valido' };
	}
	const parsed = PaymentSettings.safeParse(json);
	if (parsed.success) return { settings: parsed.data, problem: null };
	return { settings: PaymentSettings.parse({}), problem: parsed.error.issues.map((i) => `${i.path.join('.') || 'impostazioni'}: ${i.message}`).join('; ') };
}

export type PaymentsPause = { paused: false } | { paused: true; message: string; resumeOn: IsoDate };

export function paymentsPause(settings: PaymentSettings, today: IsoDate): PaymentsPause {
	const p = settings.pause;
	if (!p || today < p.from || today >= p.resumeOn) return { paused: false };
	const message = p.message.trim() || `I pagamenti sono sospesi: riprenderanno il ${formatDateIt(p.resumeOn)}.`;
	return { paused: true, message, resumeOn: p.resumeOn };
}
