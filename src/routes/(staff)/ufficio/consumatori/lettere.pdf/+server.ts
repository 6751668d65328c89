import { error, type RequestHandler } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { requireRole } from '$lib/server/auth';
import { serverCaller } from '$lib/server/trpc';
import { LettersInput } from '$lib/shared/consumer-schemas';
import { renderLettersPdf } from '$server/consumers/letters/letter-pdf';
import { letterComuneOf } from '$server/consumers/letters/instructions';

/**
 * POST, never GET: printing issues new codes (the old ones stop working), so a prefetch, a
 * reload or a shared link must not print. Fields: consumerId (a family) or schoolClassId, includeLinked=1.
 */
export const POST: RequestHandler = async (event) => {
	const auth = requireRole(event, 'operator', 'school_staff');
	const form = await event.request.formData().catch(() => null);
	if (!form) error(400, 'Richiesta non valida.');
	// Absent or empty: not chosen. Anything else must be an id: a mangled field never widens the batch to the whole Comune.
	const field = (name: string) => (form.get(name) ? Number(form.get(name)) : undefined);
	const parsed = LettersInput.safeParse({ consumerId: field('consumerId'), schoolClassId: field('schoolClassId'), includeLinked: form.get('includeLinked') === '1' });
	if (!parsed.success) error(400, parsed.error.issues[0]?.message ?? 'Richiesta non valida.');
	try {
		const { letters } = await serverCaller(event).officeConsumers.issueLetters(parsed.data);
		const pdf = await renderLettersPdf(letterComuneOf(auth.tenant!, event.locals.rt.config.origin), letters);
		const name = letters.length === 1 ? `lettera-${letters[0].applicantFiscalCode}` : `lettere-${letters.length}-famiglie`;
		return new Response(Buffer.from(pdf), {
			headers: { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${name.toLowerCase()}.pdf"`, 'cache-control': 'no-store' }
		});
	} catch (e) {
		if (e instanceof TRPCError && (e.code === 'NOT_FOUND' || e.code === 'BAD_REQUEST')) error(e.code === 'NOT_FOUND' ? 404 : 400, e.message);
		throw e;
	}
};
