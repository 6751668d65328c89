import { formatDateIt, type IsoDate } from './dates.js';

/**
 * How far a balance goes at the child's tariff over the coming service days, as the server
 * computes it (server/ledger/forecast.ts); the words are here, for every page that shows it.
 */
export type Forecast =
	/** no active enrolment in the group, or no service day left this school year */
	| { kind: 'none' }
	/** tariff 0 (esenzione) */
	| { kind: 'exempt' }
	| { kind: 'negative' }
	/** the balance does not pay for the next meal */
	| { kind: 'short' }
	/** `until`: the day of the last meal the balance pays for */
	| { kind: 'covers'; meals: number; until: IsoDate }
	| { kind: 'whole_year'; meals: number };

/** "Copre 11 pasti, fino al 14/11"; null when there is nothing to say. */
export function forecastText(f: Forecast): string | null {
	switch (f.kind) {
		case 'none':
			return null;
		case 'exempt':
			return 'Esenzione: nessun addebito';
		case 'negative':
			return 'Saldo negativo: ricarica per coprire i prossimi pasti';
		case 'short':
			return 'Il saldo non copre il prossimo pasto: ricarica';
		case 'covers':
			return `Copre ${f.meals} ${f.meals === 1 ? 'pasto' : 'pasti'}, fino al ${formatDateIt(f.until).slice(0, 5)}`;
		case 'whole_year':
			return 'Copre tutti i pasti fino a fine anno';
	}
}
