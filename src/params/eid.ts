import type { ParamMatcher } from '@sveltejs/kit';

export const match = ((param): param is 'spid' | 'cie' => param === 'spid' || param === 'cie') satisfies ParamMatcher;
