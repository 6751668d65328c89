/*
 * Why a sign-in came back to a login page. The address carries only the key, never the text: a
 * link that wrote its own words there would have them shown as the Comune's alert (phishing).
 */
export const LOGIN_PROBLEMS = {
	'sessione-non-valida': 'Accesso non riuscito: la sessione di accesso non è valida. Riprova.',
	'richiesta-scaduta': 'Accesso non riuscito: la richiesta è scaduta. Riprova.',
	annullato: 'Accesso con identità digitale non riuscito o annullato. Riprova.',
	'codice-fiscale': "L'identità digitale non ha fornito un codice fiscale valido.",
	'spid-non-disponibile': 'L’accesso con SPID/CIE non è disponibile in questo momento: accedi con email e password.',
	'collegamento-scaduto': 'Richiesta scaduta: accedi di nuovo con SPID o CIE.'
} as const;

export type LoginProblem = keyof typeof LOGIN_PROBLEMS;

/** The message for `?errore=`, or null for a key this version does not know. */
export function loginProblemMessage(key: string | null): string | null {
	return key !== null && Object.hasOwn(LOGIN_PROBLEMS, key) ? LOGIN_PROBLEMS[key as LoginProblem] : null;
}
