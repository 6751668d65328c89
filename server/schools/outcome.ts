/** What a set-up edit answers: the saved value, or a refusal the form can show next to its fields. */
export type SetupResult<T> =
	| { status: 'saved'; value: T }
	| { status: 'rejected'; code: 'NOT_FOUND' | 'INVALID'; message: string; fieldErrors?: Record<string, string> };

export const saved = <T>(value: T): SetupResult<T> => ({ status: 'saved', value });

export const notFound = (message: string): SetupResult<never> => ({ status: 'rejected', code: 'NOT_FOUND', message });

/** One message per field; the first one also stands for the whole form. */
export function invalid(fieldErrors: Record<string, string>): SetupResult<never> {
	return { status: 'rejected', code: 'INVALID', message: Object.values(fieldErrors).join(' · '), fieldErrors };
}

/** A refusal about the whole thing rather than one field. */
export const refused = (message: string): SetupResult<never> => ({ status: 'rejected', code: 'INVALID', message });
