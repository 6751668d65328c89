import { z } from 'zod';
import { SIMULATOR_SUBSCRIPTION_KEY } from '../gateway-for.js';
import { SUBSCRIPTION_KEY_HEADER } from '../errors.js';

/*
 * The request shapes of GPD and Checkout the simulator accepts, as pagoPA's OpenAPI describes
 * them (amounts in cents): a request our adapter could not send to pagoPA fails here too.
 */

const Transfer = z.looseObject({
	idTransfer: z.enum(['1', '2', '3', '4', '5']),
	amount: z.number().int().positive(),
	organizationFiscalCode: z.string().regex(/^\d{11}$/).optional(),
	remittanceInformation: z.string().min(1).max(140),
	category: z.string().min(1),
	iban: z.string().min(1).optional()
});

const PaymentOption = z
	.looseObject({
		iuv: z.string().regex(/^\d{17}$/),
		amount: z.number().int().positive(),
		description: z.string().min(1).max(140),
		dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/),
		isPartialPayment: z.boolean(),
		transfer: z.array(Transfer).min(1).max(5)
	})
	.refine((o) => o.transfer.reduce((s, t) => s + t.amount, 0) === o.amount, { message: 'the sum of the transfers must equal the option amount', path: ['transfer'] });

export const DebtPositionBody = z.looseObject({
	iupd: z.string().min(1).max(80),
	type: z.enum(['F', 'G']),
	fiscalCode: z.string().min(1),
	fullName: z.string().min(1),
	companyName: z.string().min(1),
	paymentOption: z.array(PaymentOption).min(1)
});
export type DebtPositionBody = z.infer<typeof DebtPositionBody>;

export const CartBody = z.looseObject({
	paymentNotices: z
		.array(
			z.looseObject({
				noticeNumber: z.string().regex(/^\d{18}$/),
				fiscalCode: z.string().regex(/^\d{11}$/),
				amount: z.number().int().positive(),
				companyName: z.string().min(1).max(140),
				description: z.string().min(1).max(140)
			})
		)
		.min(1)
		.max(5),
	returnUrls: z.object({ returnOkUrl: z.url(), returnCancelUrl: z.url(), returnErrorUrl: z.url() }),
	emailNotice: z.email().optional(),
	idCart: z.string().min(1).max(64).optional()
});
export type CartBody = z.infer<typeof CartBody>;

/** pagoPA's API gateway answers like this (Azure APIM) when the key is missing or wrong. */
export function subscriptionRefusal(headers: Headers): Response | null {
	const key = headers.get(SUBSCRIPTION_KEY_HEADER);
	if (key === SIMULATOR_SUBSCRIPTION_KEY) return null;
	const message = key
		? 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.'
		: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
	return Response.json({ statusCode: 401, message }, { status: 401 });
}

/** GPD's error body (ProblemJson). */
export const problem = (status: number, title: string, detail: string) => Response.json({ title, status, detail }, { status });

/** zod issues as GPD-like text, for a 400's detail. */
export const issuesText = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
