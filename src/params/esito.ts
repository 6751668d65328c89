import type { ParamMatcher } from '@sveltejs/kit';

/** The three ways Checkout sends a guardian back (returnOkUrl, returnCancelUrl, returnErrorUrl). */
export const match: ParamMatcher = (param) => param === 'ok' || param === 'annullato' || param === 'errore';
