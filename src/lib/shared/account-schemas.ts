import { z } from 'zod';
import { isoDate } from './schemas.js';

/*
 * Inputs of the account procedures (saldo, estratto conto). Importing schemas.ts also sets zod's
 * Italian locale, as for every other input.
 */

const id = z.number({ error: 'Identificativo non valido' }).int().positive();

/** Two years and a day or two: any school year, or two, fits; a whole history does not come in one answer. */
export const MAX_STATEMENT_DAYS = 732;

export const BalancesInput = z.strictObject({ consumerId: id });

export const StatementInput = z
	.strictObject({ consumerId: id, serviceGroupId: id, from: isoDate, to: isoDate })
	.refine((r) => r.from <= r.to, { error: 'La data iniziale deve precedere quella finale', path: ['to'] })
	.refine((r) => Date.parse(r.to) - Date.parse(r.from) <= MAX_STATEMENT_DAYS * 86_400_000, { error: 'Al massimo due anni per volta', path: ['to'] });
export type StatementInput = z.infer<typeof StatementInput>;
