import { eq } from 'drizzle-orm';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { openDb } from '../db/client.js';
import { tenants } from '../db/schema.js';
import { isValidIsoDate } from '../calendar/dates.js';
import { closeDay, closeDueDays, type CloseResult } from '../meals/day-close.js';
import { cutoffInstant } from '../meals/cutoff.js';
import { reviewAlertsAfterClose } from '../payments/alerts.js';

/*
 * npm run day-close -- --tenant mazze --date 2025-11-03
 * npm run day-close -- --all                 (every Comune, every day due)
 * npm run day-close -- --all --date 2025-11-03
 * A day whose cutoff has not passed is refused (parents may still be marking it) unless --force.
 */
const args = process.argv.slice(2);
const option = (name: string) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : undefined;
};
const slug = option('tenant');
const date = option('date');
if ((!slug && !args.includes('--all')) || (date !== undefined && !isValidIsoDate(date))) {
	console.error('Uso: npm run day-close -- (--tenant <slug> | --all) [--date AAAA-MM-GG]');
	process.exit(2);
}
const config = loadConfig(process.env);
const db = openDb(config.databasePath);
const chosen = slug ? db.select().from(tenants).where(eq(tenants.slug, slug)).all() : db.select().from(tenants).all();
if (chosen.length === 0) {
	console.error(`Comune «${slug}» non trovato.`);
	process.exit(2);
}
for (const tenant of chosen) {
	if (date && !args.includes('--force') && systemClock.now().getTime() < cutoffInstant(tenant, date).getTime()) {
		console.error(`${tenant.slug} ${date}: l'orario limite non è ancora passato, i genitori possono ancora segnare. Usa --force per chiuderla comunque.`);
		process.exitCode = 2;
		continue;
	}
	const results: CloseResult[] = date ? [closeDay(db, systemClock, tenant, date)] : closeDueDays(db, systemClock, tenant);
	for (const r of results) {
		if (r.status !== 'closed') {
			console.log(`${tenant.slug} ${r.date}: già chiusa`);
			continue;
		}
		// Queued, not sent: the running server's outbox sends them, as after its own closes.
		const alerts = await reviewAlertsAfterClose({ db, clock: systemClock, origin: config.origin }, r.transactionId);
		console.log(`${tenant.slug} ${r.date}: chiusa, ${r.meals} pasti, ${r.totalCents} centesimi, ${alerts} avvisi di saldo basso in coda`);
	}
}
db.$client.close();
