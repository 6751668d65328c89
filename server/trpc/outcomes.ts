import { TRPCError } from '@trpc/server';
import type { RequestEdge } from './context.js';
import { passwordProblemMessages, type PasswordProblem } from '../auth/password.js';

/** A refusal a user can act on; `reason` lets the page offer the next step (e.g. "send the link again"). */
export class Refusal extends Error {
	constructor(
		message: string,
		readonly reason: string,
		readonly fieldErrors?: Record<string, string>
	) {
		super(message);
	}
}

type Failure =
	| { status: 'rate_limited'; retryAfterSeconds: number }
	| { status: 'unknown_tenant' }
	| { status: 'password_disabled' }
	| { status: 'weak_password'; problem: PasswordProblem }
	| { status: 'invalid' }
	| { status: 'unverified' }
	| { status: 'key_unreadable' };

function minutes(seconds: number): string {
	const m = Math.max(1, Math.ceil(seconds / 60));
	return m === 1 ? 'un minuto' : `${m} minuti`;
}

/** Turns a flow's refusal into the HTTP answer: the one mapping from domain outcomes to tRPC codes. */
export function refuse(edge: RequestEdge, failure: Failure, invalidMessage = 'E-mail o password non corretti.'): never {
	const error = (code: TRPCError['code'], message: string, reason: string, fieldErrors?: Record<string, string>) =>
		new TRPCError({ code, message, cause: new Refusal(message, reason, fieldErrors) });
	switch (failure.status) {
		case 'rate_limited':
			edge.resHeaders.set('Retry-After', String(failure.retryAfterSeconds));
			throw error('TOO_MANY_REQUESTS', `Troppi tentativi. Per sicurezza riprova fra ${minutes(failure.retryAfterSeconds)}.`, 'RATE_LIMITED');
		case 'unknown_tenant':
			throw error('NOT_FOUND', 'Comune non trovato.', 'UNKNOWN_TENANT');
		case 'password_disabled':
			throw error('FORBIDDEN', 'Il Comune ha disattivato l’accesso con e-mail e password: entra con SPID o CIE.', 'PASSWORD_DISABLED');
		case 'weak_password': {
			const message = passwordProblemMessages[failure.problem];
			throw error('BAD_REQUEST', message, 'WEAK_PASSWORD', { password: message });
		}
		case 'invalid':
			throw error('UNAUTHORIZED', invalidMessage, 'INVALID');
		case 'key_unreadable':
			throw error('FORBIDDEN', 'La chiave della tua app di autenticazione non si può leggere su questo server: entra con uno dei codici di recupero, o chiedi a un amministratore di reimpostarla.', 'SECOND_FACTOR_UNREADABLE');
		case 'unverified':
			throw error('FORBIDDEN', 'Devi prima confermare il tuo indirizzo e-mail: apri il link che ti abbiamo inviato (controlla anche lo spam).', 'EMAIL_NOT_VERIFIED');
	}
}
