import { and, eq, gt } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { passwordCredentials, pendingIdentityLinks, users } from '../db/schema.js';
import { createIdentityAccount, linkIdentity, type EidProvider, type VerifiedIdentity } from './oidc.js';
import { verifyPassword } from './password.js';
import { generateToken, hashToken } from './tokens.js';
import type { User } from './accounts.js';

const PENDING_LIFETIME_MS = 15 * 60 * 1000;

/** Holds a SPID/CIE identity until its owner claims the matching account; the token goes in a cookie. */
export function holdIdentityLink(db: Db, clock: Clock, tenantId: number, candidate: User, provider: EidProvider, identity: VerifiedIdentity): string {
	const token = generateToken();
	db.insert(pendingIdentityLinks)
		.values({ id: hashToken(token), tenantId, userId: candidate.id, provider, identity: JSON.stringify(identity), expiresAt: new Date(clock.now().getTime() + PENDING_LIFETIME_MS) })
		.run();
	return token;
}

export interface PendingLink {
	id: string;
	tenantId: number;
	provider: EidProvider;
	identity: VerifiedIdentity;
	candidate: User;
}

export function findPendingLink(db: Db, clock: Clock, token: string | undefined): PendingLink | null {
	if (!token) return null;
	const row = db
		.select({ link: pendingIdentityLinks, user: users })
		.from(pendingIdentityLinks)
		.innerJoin(users, eq(users.id, pendingIdentityLinks.userId))
		.where(and(eq(pendingIdentityLinks.id, hashToken(token)), gt(pendingIdentityLinks.expiresAt, clock.now())))
		.get();
	if (!row) return null;
	return { id: row.link.id, tenantId: row.link.tenantId, provider: row.link.provider, identity: JSON.parse(row.link.identity), candidate: row.user };
}

/** "m•••a@example.com": enough for the owner to recognise the account, too little to harvest. */
export function maskEmail(email: string | null): string {
	if (!email) return 'un account senza e-mail';
	const [local, domain] = email.split('@');
	return `${local[0]}•••${local.length > 1 ? local.at(-1) : ''}@${domain}`;
}

/** gone: the same held identity was already claimed or declined (a second click, another tab). */
export type ClaimResult = { status: 'linked'; user: User } | { status: 'invalid_password' } | { status: 'gone' };

export async function claimWithPassword(db: Db, clock: Clock, pending: PendingLink, password: string, ip = ''): Promise<ClaimResult> {
	const credential = db.select().from(passwordCredentials).where(eq(passwordCredentials.userId, pending.candidate.id)).get();
	if (!credential || !(await verifyPassword(credential.hash, password))) return { status: 'invalid_password' };
	return db.transaction((tx): ClaimResult => {
		// Spent first, inside the transaction: of two submits racing past the password check, one links.
		if (tx.delete(pendingIdentityLinks).where(eq(pendingIdentityLinks.id, pending.id)).run().changes !== 1) return { status: 'gone' };
		return { status: 'linked', user: linkIdentity(tx, clock, pending.tenantId, pending.candidate, pending.identity, ip) };
	});
}

/** The person behind the identity says the account is not theirs: they get one of their own (null: already settled). */
export function declineLink(db: Db, clock: Clock, pending: PendingLink, ip = ''): User | null {
	return db.transaction((tx) => {
		if (tx.delete(pendingIdentityLinks).where(eq(pendingIdentityLinks.id, pending.id)).run().changes !== 1) return null;
		return createIdentityAccount(tx, clock, pending.tenantId, pending.identity, ip);
	});
}
