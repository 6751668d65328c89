import type { Runtime } from '../runtime.js';
import { tenants } from '../db/schema.js';
import { closeDueDays } from '../meals/day-close.js';
import { reviewAlertsAfterClose } from '../payments/alerts.js';
import { logLine } from '../log.js';

/**
 * Closes each Comune's day as soon as its cutoff passes, and on start every day missed while
 * the server was down. Closing is idempotent, so a tick that overlaps a CLI run does no harm.
 */
export function startDayCloseScheduler(rt: Runtime, everyMs = 5_000, log: (line: string, error?: unknown) => void = logLine): () => void {
	const tick = async () => {
		for (const tenant of rt.db.select().from(tenants).all()) {
			try {
				// Through the group commit: marks already queued for the day are written before it closes.
				for (const r of await rt.groupCommit(() => closeDueDays(rt.db, rt.clock, tenant))) {
					if (r.status !== 'closed') continue;
					log(`[chiusura] ${tenant.name} ${r.date}: ${r.meals} pasti, ${(r.totalCents / 100).toFixed(2)} €`);
					// After the commit, in slices: the alerts of 2,000 pupils must not hold the kitchen's counts or the marks.
					await reviewAlertsAfterClose({ ...rt, origin: rt.config.origin }, r.transactionId);
				}
			} catch (error) {
				log(`[chiusura] ${tenant.name}: non riuscita, riprovo al prossimo giro`, error);
			}
		}
	};
	void tick();
	const timer = setInterval(() => void tick(), everyMs);
	timer.unref();
	return () => clearInterval(timer);
}
