import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { formatNoticeNumber } from '$server/payments/notice-number';
import { simDepsOf } from '$server/payments/pagopa/simulator/http';
import { cancelSimCart, findSimCart, paySimCart } from '$server/payments/pagopa/simulator/store';

export const load: PageServerLoad = ({ params, locals }) => {
	const cart = findSimCart(locals.rt.db, params.cartId);
	if (!cart) error(404, 'Carrello inesistente o scaduto.');
	return {
		status: cart.status,
		emailNotice: cart.emailNotice,
		notices: cart.notices.map((n) => ({ ...n, noticeText: formatNoticeNumber(n.noticeNumber) }))
	};
};

const follow = (outcome: { redirect: string } | null) => {
	if (!outcome) error(404, 'Carrello inesistente o scaduto.');
	redirect(303, outcome.redirect);
};

export const actions: Actions = {
	paga: ({ params, locals }) => follow(paySimCart(simDepsOf(locals.rt), params.cartId)),
	annulla: ({ params, locals }) => follow(cancelSimCart(simDepsOf(locals.rt), params.cartId))
};
