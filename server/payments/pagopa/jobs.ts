import { systemClock } from '../../clock.js';
import type { Runtime } from '../../runtime.js';
import { expireOverduePayments } from '../receipts.js';
import { defaultDeliveryOptions, deliverDueReceipts, type DeliveryOptions } from './simulator/delivery.js';
import { logLine } from '../../log.js';

export interface PagopaJobOptions {
	delivery: DeliveryOptions;
	/** how often the simulator looks for receipts to (re)deliver */
	deliveryEveryMs: number;
	expiryEveryMs: number;
}

/**
 * From the environment: PAGOPA_SIM_RECEIPT_URL sends the simulator's receipts elsewhere than our
 * own receiver (tests put a failing proxy there), PAGOPA_SIM_RETRY_MS shortens the first backoff.
 */
export function pagopaJobOptions(env: Record<string, string | undefined>, origin: string): PagopaJobOptions {
	const delivery = defaultDeliveryOptions(env.PAGOPA_SIM_RECEIPT_URL || `${origin.replace(/\/+$/, '')}/api/pagopa/receipts`);
	const retry = Number(env.PAGOPA_SIM_RETRY_MS);
	if (Number.isInteger(retry) && retry > 0) delivery.retryBaseMs = retry;
	return { delivery, deliveryEveryMs: 500, expiryEveryMs: 60 * 60_000 };
}

/**
 * The server's pagoPA ticker, started from hooks.server.ts beside the day close: the simulator's
 * receipt deliveries, and every hour (and at start) the expiry of unpaid debt positions past
 * their due date. The delivery schedule runs on real time, the expiry on the app's clock.
 */
export function startPagopaJobs(rt: Runtime, opts: PagopaJobOptions, log: (line: string, error?: unknown) => void = logLine): () => void {
	let delivering = false;
	const deliver = async () => {
		if (delivering) return;
		delivering = true;
		try {
			await deliverDueReceipts(rt.db, systemClock, rt.secrets, opts.delivery);
		} catch (error) {
			log('[pagoPA simulatore] consegna delle ricevute non riuscita, riprovo', error);
		} finally {
			delivering = false;
		}
	};
	const expire = () => {
		try {
			const n = expireOverduePayments(rt.db, rt.clock);
			if (n > 0) log(`[pagoPA] ${n} avvisi scaduti senza pagamento`);
		} catch (error) {
			log('[pagoPA] scadenza degli avvisi non riuscita, riprovo fra un’ora', error);
		}
	};
	expire();
	const timers = [setInterval(expire, opts.expiryEveryMs)];
	// The simulator's receipts are delivered only where the simulators are served.
	if (rt.config.paymentSimulators) timers.push(setInterval(() => void deliver(), opts.deliveryEveryMs));
	for (const t of timers) t.unref();
	return () => timers.forEach(clearInterval);
}
