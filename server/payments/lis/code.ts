/*
 * The Punto LIS code of one account (consumer × service group): what the QR carries and what a
 * cashier types when the scanner fails. `MA-<CF ente>-XXXX-XXXX-XXXX-XXXX-XXXX`:
 * - `MA` says the code is Mensa Aperta's, so the LIS network routes it to us;
 * - the Comune's codice fiscale (11 digits) picks the Comune, hence the key that signs the
 *   notification, as pagoPA's own QR does; a slug could be renamed, the CF never is;
 * - 20 symbols of Crockford's base32 (digits and capitals without I, L, O, U) carry 100 random
 *   bits: nobody guesses another child's code, and what is typed reads back without ambiguity.
 * Only digits, capitals and "-": the QR uses its compact alphanumeric mode.
 */
import { eq } from 'drizzle-orm';
import { generateRandomString, type RandomReader } from '@oslojs/crypto/random';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { lisCodes, tenants } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';

export const LIS_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_SYMBOLS = 20;
const GROUP = 4;

const cryptoRandom: RandomReader = { read: (bytes) => crypto.getRandomValues(bytes) };

function grouped(symbols: string): string {
	return symbols.match(new RegExp(`.{1,${GROUP}}`, 'g'))!.join('-');
}

export function newLisCode(enteCodiceFiscale: string, random: RandomReader = cryptoRandom): string {
	if (!/^\d{11}$/.test(enteCodiceFiscale)) throw new Error(`Codice fiscale dell'ente non valido: "${enteCodiceFiscale}".`);
	return `MA-${enteCodiceFiscale}-${grouped(generateRandomString(random, LIS_ALPHABET, RANDOM_SYMBOLS))}`;
}

export interface ParsedLisCode {
	enteCodiceFiscale: string;
	/** the canonical form, as stored */
	code: string;
}

/**
 * What a cashier typed, back to the stored form: case, spaces and dashes do not matter, and the
 * letters Crockford's alphabet leaves out are read as the digits they look like (O→0, I/L→1).
 */
export function parseLisCode(input: string): ParsedLisCode | null {
	const compact = input.toUpperCase().replace(/[\s-]/g, '');
	const m = /^MA(\d{11})([0-9A-Z]{20})$/.exec(compact);
	if (!m) return null;
	const symbols = m[2].replace(/O/g, '0').replace(/[IL]/g, '1');
	if ([...symbols].some((c) => !LIS_ALPHABET.includes(c))) return null;
	return { enteCodiceFiscale: m[1], code: `MA-${m[1]}-${grouped(symbols)}` };
}

/**
 * The account's code, made on first use and then always the same: the printed PDF stays valid.
 * Insert-or-ignore on (tenant, consumer, group), so two first visits at once agree on one code.
 * The caller has checked that the consumer is the guardian's and is enrolled in the group.
 */
export function lisCodeFor(db: Db, clock: Clock, scope: TenantScope, consumerId: number, serviceGroupId: number): string {
	const existing = () =>
		db
			.select({ code: lisCodes.code })
			.from(lisCodes)
			.where(scope.where(lisCodes, eq(lisCodes.consumerId, consumerId), eq(lisCodes.serviceGroupId, serviceGroupId)))
			.get()?.code;
	const found = existing();
	if (found) return found;
	const { cf } = db.select({ cf: tenants.codiceFiscaleEnte }).from(tenants).where(eq(tenants.id, scope.tenantId)).get()!;
	db.insert(lisCodes)
		.values({ tenantId: scope.tenantId, consumerId, serviceGroupId, code: newLisCode(cf), createdAt: clock.now() })
		.onConflictDoNothing({ target: [lisCodes.tenantId, lisCodes.consumerId, lisCodes.serviceGroupId] })
		.run();
	return existing()!;
}

/** The account a code names, inside one Comune. */
export function findLisAccount(db: Pick<Db, 'select'>, scope: TenantScope, code: string) {
	return db
		.select({ consumerId: lisCodes.consumerId, serviceGroupId: lisCodes.serviceGroupId })
		.from(lisCodes)
		.where(scope.where(lisCodes, eq(lisCodes.code, code)))
		.get();
}
