import { fail } from '@sveltejs/kit';
import type { Actions } from './$types';
import { parseEuroToCents } from '$lib/shared/money';
import { simDepsOf } from '$server/payments/pagopa/simulator/http';
import { payAtPsp } from '$server/payments/pagopa/simulator/store';

// A PSP counter (tabaccheria, home banking): pays an avviso by its notice number.
export const actions: Actions = {
	default: async ({ request, locals }) => {
		const form = await request.formData();
		const values = { noticeNumber: String(form.get('noticeNumber') ?? ''), fiscalCode: String(form.get('fiscalCode') ?? ''), amount: String(form.get('amount') ?? '') };
		const noticeNumber = values.noticeNumber.replace(/\s/g, '');
		const fiscalCode = values.fiscalCode.trim();
		const amountCents = parseEuroToCents(values.amount);
		const errors: Record<string, string> = {};
		if (!/^\d{18}$/.test(noticeNumber)) errors.noticeNumber = 'Il numero avviso ha 18 cifre.';
		if (!/^\d{11}$/.test(fiscalCode)) errors.fiscalCode = 'Il codice fiscale dell’ente ha 11 cifre.';
		if (amountCents === null || amountCents <= 0) errors.amount = 'Scrivi un importo in euro, per esempio 25,00.';
		if (Object.keys(errors).length > 0) return fail(400, { values, errors, message: null });
		const outcome = payAtPsp(simDepsOf(locals.rt), { noticeNumber, fiscalCode, amountCents: amountCents! });
		if (outcome.status === 'refused') return fail(400, { values, errors, message: outcome.message });
		return { paid: { receiptId: outcome.receiptId, noticeNumber, amountCents: amountCents! } };
	}
};
