import { describe, expect, it } from 'vitest';
import type { Payment } from '../credit.js';
import { cartRequest, debtPositionRequest, livePagopaGateway } from './live.js';
import { PagopaError } from './errors.js';

const ente = { name: 'Comune di Mazzè', codiceFiscale: '84001550015' };
const payment = {
	id: 7,
	noticeNumber: '301000000000004285',
	amountCents: 4500,
	description: 'Ricarica Refezione — Luca Rossi, Sofia Rossi',
	dueDate: '2026-12-23',
	payerName: 'Maria Rossi',
	payerFiscalCode: 'RSSMRA85C52L219F'
} as Payment;
const lines = [
	{ consumerName: 'Luca Rossi', groupName: 'Refezione', amountCents: 2500 },
	{ consumerName: 'Sofia Rossi', groupName: 'Refezione', amountCents: 2000 }
];
const returnUrls = { returnOkUrl: 'https://m.example/ok', returnCancelUrl: 'https://m.example/no', returnErrorUrl: 'https://m.example/err' };

interface Call {
	url: string;
	method: string;
	headers: Headers;
	body: unknown;
	redirect?: RequestRedirect;
}

/** A fetch that records each call and answers from a script. */
function scripted(...answers: (Response | Error)[]) {
	const calls: Call[] = [];
	const fetchFn = (async (url: string, init: RequestInit) => {
		calls.push({ url, method: init.method!, headers: new Headers(init.headers), body: init.body ? JSON.parse(String(init.body)) : undefined, redirect: init.redirect });
		const next = answers.shift()!;
		if (next instanceof Error) throw next;
		return next;
	}) as typeof fetch;
	return { calls, fetchFn };
}

const gateway = (fetchFn: typeof fetch) =>
	livePagopaGateway({
		gpdBaseUrl: 'https://api.example/gpd/v1/',
		checkoutBaseUrl: 'https://api.example',
		gpdSubscriptionKey: 'gpd-key',
		checkoutSubscriptionKey: 'checkout-key',
		iban: 'IT60X0542811101000000123456',
		transferCategory: '9/0101108TS/',
		fetch: fetchFn,
		timeoutMs: 1000
	});

describe('request building', () => {
	it('makes one GPD debt position per payment: iupd from the IUV, one option, one transfer to the ente', () => {
		const body = debtPositionRequest(ente, payment, { iban: 'IT60X0542811101000000123456', category: '9/0101108TS/' });
		expect(body).toMatchObject({
			iupd: '84001550015-01000000000004285',
			type: 'F',
			fiscalCode: 'RSSMRA85C52L219F',
			fullName: 'Maria Rossi',
			companyName: 'Comune di Mazzè',
			paymentOption: [
				{
					iuv: '01000000000004285',
					amount: 4500,
					dueDate: '2026-12-23T23:59:59',
					isPartialPayment: false,
					transfer: [{ idTransfer: '1', amount: 4500, organizationFiscalCode: '84001550015', iban: 'IT60X0542811101000000123456', category: '9/0101108TS/' }]
				}
			]
		});
	});

	it('makes a Checkout cart of the one notice, amount in cents, idCart = notice number', () => {
		const body = cartRequest(ente, payment, lines, returnUrls, 'maria@example.com');
		expect(body).toEqual({
			paymentNotices: [{ noticeNumber: '301000000000004285', fiscalCode: '84001550015', amount: 4500, companyName: 'Comune di Mazzè', description: payment.description }],
			returnUrls,
			emailNotice: 'maria@example.com',
			idCart: '301000000000004285'
		});
		expect(cartRequest(ente, payment, lines, returnUrls, null)).not.toHaveProperty('emailNotice');
	});
});

describe('live adapter', () => {
	it('posts to GPD with toPublish and the key, then to Checkout without following the 302', async () => {
		const { calls, fetchFn } = scripted(Response.json({}, { status: 201 }), new Response(null, { status: 302, headers: { location: '/c/abc' } }));
		const result = await gateway(fetchFn).startCheckout(ente, payment, lines, returnUrls, null);
		expect(result).toEqual({ location: 'https://api.example/c/abc' });
		expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
			'POST https://api.example/gpd/v1/organizations/84001550015/debtpositions?toPublish=true',
			'POST https://api.example/checkout/ec/v1/carts'
		]);
		expect(calls[0].headers.get('Ocp-Apim-Subscription-Key')).toBe('gpd-key');
		expect(calls[1].headers.get('Ocp-Apim-Subscription-Key')).toBe('checkout-key');
		expect(calls[1].redirect).toBe('manual');
	});

	it('treats a 409 as "already created" when GPD holds the same IUV and amount', async () => {
		const { calls, fetchFn } = scripted(
			Response.json({ status: 409 }, { status: 409 }),
			Response.json({ iupd: '84001550015-01000000000004285', paymentOption: [{ iuv: '01000000000004285', amount: 4500 }] })
		);
		await gateway(fetchFn).publishDebtPosition(ente, payment, lines);
		expect(calls[1].method).toBe('GET');
		expect(calls[1].url).toBe('https://api.example/gpd/v1/organizations/84001550015/debtpositions/84001550015-01000000000004285');
	});

	it('refuses a 409 whose position holds another amount', async () => {
		const { fetchFn } = scripted(Response.json({}, { status: 409 }), Response.json({ paymentOption: [{ iuv: '01000000000004285', amount: 100 }] }));
		const error = await gateway(fetchFn).publishDebtPosition(ente, payment, lines).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(PagopaError);
		expect((error as PagopaError).code).toBe('CONFLICT');
	});

	it.each([
		['a 401', new Response('{"statusCode":401}', { status: 401 }), 'UNAUTHORIZED', /non risulta abilitato/],
		['a 503', new Response('busy', { status: 503 }), 'UNAVAILABLE', /non risponde/],
		['a network error', new TypeError('fetch failed'), 'UNAVAILABLE', /Riprova fra qualche minuto/],
		['a 400', Response.json({ title: 'BAD REQUEST' }, { status: 400 }), 'REJECTED', /rifiutato/]
	])('turns %s into a PagopaError with an Italian message', async (_, answer, code, message) => {
		const { fetchFn } = scripted(answer);
		const error = (await gateway(fetchFn).publishDebtPosition(ente, payment, lines).catch((e: unknown) => e)) as PagopaError;
		expect(error).toBeInstanceOf(PagopaError);
		expect(error.code).toBe(code);
		expect(error.message).toMatch(message);
	});

	it('gives up after the timeout', async () => {
		const hanging = ((_: string, init: RequestInit) =>
			new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as typeof fetch;
		const error = (await livePagopaGateway({ gpdBaseUrl: 'https://x', checkoutBaseUrl: 'https://x', gpdSubscriptionKey: 'k', checkoutSubscriptionKey: 'k', iban: 'I', transferCategory: 'c', fetch: hanging, timeoutMs: 50 })
			.publishDebtPosition(ente, payment, lines)
			.catch((e: unknown) => e)) as PagopaError;
		expect(error.code).toBe('UNAVAILABLE');
		expect(error.detail).toMatch(/nessuna risposta in 50 ms/);
	});

	it('refuses a Checkout answer that is not a 302 with a Location', async () => {
		const { fetchFn } = scripted(Response.json({}, { status: 201 }), Response.json({}, { status: 200 }));
		const error = (await gateway(fetchFn).startCheckout(ente, payment, lines, returnUrls, null).catch((e: unknown) => e)) as PagopaError;
		expect(error.code).toBe('REJECTED');
	});
});
