import type { Role } from '../db/schema.js';

const homes: [Role, string][] = [
	['admin', '/admin'],
	['operator', '/ufficio'],
	['school_staff', '/scuola'],
	['kitchen', '/cucina'],
	['guardian', '/home']
];

/** Where a staff member gives the code of their authenticator after the password. */
export const SECOND_FACTOR_PAGE = '/accesso/codice';

/** Where each role lands after login; someone with several roles gets the most capable one. */
export function homeFor(roles: readonly { role: Role }[]): string {
	return homes.find(([role]) => roles.some((r) => r.role === role))?.[1] ?? '/';
}
