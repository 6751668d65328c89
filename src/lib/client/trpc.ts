import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../../server/trpc/app';

export const trpc = createTRPCClient<AppRouter>({
	links: [httpLink({ url: '/api/trpc' })]
});

export interface ProblemDetails {
	message: string;
	reason: string | null;
	fieldErrors: Record<string, string>;
}

/** What a form shows for a failed call: the server's Italian message, per field when it has one. */
export function problemOf(error: unknown): ProblemDetails {
	if (error instanceof TRPCClientError) {
		const data = (error.data ?? {}) as { reason?: string; fieldErrors?: Record<string, string> };
		return { message: error.message, reason: data.reason ?? null, fieldErrors: data.fieldErrors ?? {} };
	}
	return { message: 'Connessione non riuscita: controlla la rete e riprova.', reason: 'NETWORK', fieldErrors: {} };
}
