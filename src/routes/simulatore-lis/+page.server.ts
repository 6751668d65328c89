import { fail, type Actions } from '@sveltejs/kit';
import { formatCents, parseEuroToCents } from '$lib/shared/money';
import { MAX_LIS_AMOUNT_CENTS } from '$server/payments/lis/notification';
import { simulateLisPayment } from '$server/payments/lis/simulator';

/*
 * A fake tabaccheria: no sign-in, as a retailer has none with us. It only works for codes of a
 * Comune whose LIS mode is "simulator"; a live Comune's codes are refused here.
 */
export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const code = String(form.get('codice') ?? '').trim();
		const amount = String(form.get('importo') ?? '');
		const amountCents = parseEuroToCents(amount);
		const errors: { codice?: string; importo?: string } = {};
		if (!code) errors.codice = 'Codice: campo obbligatorio';
		if (amountCents === null || amountCents <= 0) errors.importo = 'Importo: scrivi una cifra in euro, per esempio 20 o 20,50';
		else if (amountCents > MAX_LIS_AMOUNT_CENTS) errors.importo = `Importo: al massimo ${formatCents(MAX_LIS_AMOUNT_CENTS)} per operazione`;
		if (errors.codice || errors.importo) return fail(400, { code, amount, errors, problem: null });

		const { db, clock, secrets } = event.locals.rt;
		const result = await simulateLisPayment(db, clock, secrets, event.url.origin, { code, amountCents: amountCents! });
		const refused = (problem: string) => fail(400, { code, amount, errors, problem });
		if (result.status === 'unknown_code') return refused('Codice Punto LIS sconosciuto: controlla di averlo copiato per intero.');
		if (result.status === 'not_simulator') return refused('Questo Comune usa il circuito LIS reale: qui non si può simulare un pagamento.');
		if (!result.credit) return refused(`Il Comune ha rifiutato la notifica (HTTP ${result.httpStatus}): ${result.message ?? 'nessun dettaglio.'}`);
		const c = result.credit;
		return { success: `Ricarica di ${formatCents(c.amountCents)} accreditata a ${c.consumer} — ${c.serviceGroup}`, transactionId: c.transactionId };
	}
};
