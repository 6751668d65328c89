import { z } from 'zod';
import { parseEuroToCents } from './money.js';
import { isoDate } from './schemas.js';

/*
 * Inputs of the Tariffe page (ufficio scuola): service groups and services, tariff bands of a
 * school year, price changes from a date, the sibling reduction. Strict objects, Italian messages.
 */

/** A meal above this is a typo (two zeros too many), not a price. */
export const MAX_MEAL_PRICE_CENTS = 5_000;

const id = z.number({ error: 'Identificativo non valido' }).int().positive();

const name = (label: string) =>
	z
		.string({ error: `${label}: campo obbligatorio` })
		.trim()
		.min(1, { error: `${label}: campo obbligatorio` })
		.max(120, { error: `${label}: al massimo 120 caratteri` });

/** A meal price as typed ("4,20", "0" for esenzione), to cents. */
const price = z
	.string({ error: 'Prezzo: campo obbligatorio' })
	.max(12, { error: 'Prezzo non valido (es. 4,20)' })
	.transform((text, ctx) => {
		const cents = parseEuroToCents(text);
		if (cents === null) {
			ctx.issues.push({ code: 'custom', message: 'Prezzo non valido (es. 4,20; 0 per l’esenzione)', input: text });
			return z.NEVER;
		}
		return cents;
	})
	.pipe(z.number().max(MAX_MEAL_PRICE_CENTS, { error: 'Prezzo: al massimo 50,00 € a pasto' }));

export const ServiceGroupInput = z.strictObject({ name: name('Nome del gruppo') });
export const RenameServiceGroupInput = z.strictObject({ serviceGroupId: id, name: name('Nome del gruppo') });
export const ServiceInput = z.strictObject({ serviceGroupId: id, name: name('Nome del servizio') });
export const RenameServiceInput = z.strictObject({ serviceId: id, name: name('Nome del servizio') });

export const TariffBandInput = z.strictObject({ schoolYearId: id, name: name('Nome della fascia'), price });
export const UpdateTariffBandInput = z.strictObject({ tariffBandId: id, name: name('Nome della fascia'), price });
export const TariffBandIdInput = z.strictObject({ tariffBandId: id });

export const PriceChangeInput = z.strictObject({ tariffBandId: id, validFrom: isoDate, price });
export const PriceChangeIdInput = z.strictObject({ priceChangeId: id });

export const SiblingDiscountInput = z.strictObject({
	schoolYearId: id,
	pct: z
		.number({ error: 'Riduzione: scrivi una percentuale da 0 a 100' })
		.int({ error: 'Riduzione: una percentuale intera' })
		.min(0, { error: 'Riduzione: da 0 a 100' })
		.max(100, { error: 'Riduzione: da 0 a 100' })
});

export type TariffBandInput = z.infer<typeof TariffBandInput>;
export type UpdateTariffBandInput = z.infer<typeof UpdateTariffBandInput>;
export type PriceChangeInput = z.infer<typeof PriceChangeInput>;
export type SiblingDiscountInput = z.infer<typeof SiblingDiscountInput>;
