import type { Runtime } from '../runtime.js';
import type { Session, SessionUser } from '../auth/session.js';
import type { Tenant } from '../tenants/tenants.js';
import type { Role } from '../db/schema.js';

export interface Auth {
	user: SessionUser;
	session: Session;
	tenant: Tenant | null;
	roles: { role: Role; schoolId: number | null }[];
	/** a staff member who gave the password but not yet the second factor: nothing is open to them but that step */
	secondFactorPending: boolean;
}

/** What the HTTP layer hands to a procedure: no framework types cross this line. */
export interface RequestEdge {
	ip: string;
	resHeaders: Headers;
	setSessionCookie(token: string, expiresAt: Date): void;
	clearSessionCookie(): void;
}

export interface Context {
	rt: Runtime;
	auth: Auth | null;
	edge: RequestEdge;
}
