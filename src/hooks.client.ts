import type { HandleClientError } from '@sveltejs/kit';

/*
 * A page's data that cannot be fetched (no network, server down) is not an error of the page: the
 * error page then asks for the same address as a whole page, which the service worker answers
 * from the pages kept on the phone or from the offline copy.
 */
export const handleError: HandleClientError = ({ error }) => {
	const unreachable = error instanceof TypeError && /fetch|network|load failed/i.test(error.message);
	return unreachable ? { message: 'Connessione non disponibile.', unreachable: true } : { message: 'Qualcosa è andato storto: riprova.' };
};
