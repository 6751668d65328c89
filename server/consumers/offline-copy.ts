import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { addMonths, monthOf, monthRange } from '../../src/lib/shared/dates.js';
import { consumerDays, type DayView } from '../meals/day-list.js';
import { todayOf, type CutoffPolicy } from '../meals/cutoff.js';
import { balancesOf, statementOf, type Statement } from '../ledger/statement.js';
import { forecastOf, type Forecast } from '../ledger/forecast.js';
import { puntoLisAccount } from '../payments/lis/account.js';
import { qrSvg } from '../qr.js';
import { listGuardianConsumers, type ConsumerSummary, type Guardian } from './access.js';

/*
 * What a guardian's phone keeps for reading with no network (issue 6): each child's days from the
 * start of last month to the end of the third month ahead, saldo and forecast, the estratto conto
 * of the same past months and the Punto LIS card. Nothing health-related: no diet, no allergy.
 * The version is a digest of the content, so a phone whose copy is current gets a one-line answer.
 */

export interface OfflineAccount {
	serviceGroupId: number;
	name: string;
	balanceCents: number;
	forecast: Forecast;
	statement: Statement;
	/** the Punto LIS code and its QR, drawn here as on the card's page */
	lis: { code: string; qrSvg: string } | null;
}

export interface OfflineConsumer extends ConsumerSummary {
	days: DayView[];
	accounts: OfflineAccount[];
}

export interface OfflineCopy {
	version: string;
	from: string;
	to: string;
	today: string;
	comune: string;
	cutoffTime: string;
	timeZone: string;
	consumers: OfflineConsumer[];
}

export type OfflineTenant = CutoffPolicy & { name: string };

/** The window kept on the phone: whole months, as the day list shows them. */
export function offlineWindow(today: string): { from: string; to: string } {
	const month = monthOf(today);
	return { from: monthRange(addMonths(month, -1)).from, to: monthRange(addMonths(month, 3)).to };
}

export async function offlineCopy(db: Db, clock: Clock, scope: TenantScope, tenant: OfflineTenant, guardian: Guardian): Promise<OfflineCopy> {
	const today = todayOf(tenant, clock.now());
	const { from, to } = offlineWindow(today);
	const consumers: OfflineConsumer[] = [];
	for (const consumer of listGuardianConsumers(db, scope, guardian)) {
		const accounts: OfflineAccount[] = [];
		for (const b of balancesOf(db, scope, consumer.id)) {
			const card = puntoLisAccount(db, clock, scope, guardian, consumer.id, b.serviceGroupId);
			accounts.push({
				serviceGroupId: b.serviceGroupId,
				name: b.name,
				balanceCents: b.balanceCents,
				forecast: forecastOf(db, clock, scope, tenant, consumer.id, b.serviceGroupId, b.balanceCents),
				statement: statementOf(db, scope, b.accountId, { from, to: today }),
				lis: card && { code: card.code, qrSvg: await qrSvg(card.code) }
			});
		}
		consumers.push({ ...consumer, days: consumerDays(db, clock, scope, tenant, consumer.id, from, to), accounts });
	}
	const content = { from, to, today, comune: tenant.name, cutoffTime: tenant.cutoffTime, timeZone: tenant.timezone, consumers };
	const version = createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 22);
	return { version, ...content };
}
