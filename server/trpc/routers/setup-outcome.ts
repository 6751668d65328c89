import { TRPCError } from '@trpc/server';
import type { SetupResult } from '../../schools/outcome.js';
import { Refusal } from '../outcomes.js';

type Rejection = Extract<SetupResult<unknown>, { status: 'rejected' }>;

/** Another Comune's row answers exactly like a row that does not exist: NOT_FOUND, nothing more. */
export function setupRefusal(r: Omit<Rejection, 'status'>): never {
	throw new TRPCError({ code: r.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'BAD_REQUEST', message: r.message, cause: new Refusal(r.message, r.code, r.fieldErrors) });
}

export function settledSetup<T>(r: SetupResult<T>): T {
	return r.status === 'saved' ? r.value : setupRefusal(r);
}
