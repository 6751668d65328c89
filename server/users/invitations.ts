import { and, eq, isNull } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { emailTokens, memberships, passwordCredentials, users } from '../db/schema.js';
import { recordAudit } from '../audit/log.js';
import { findUserByEmail, hasPassword, newUserId, normalizeEmail, type User } from '../auth/accounts.js';
import { checkPasswordStrength, hashPassword, type PasswordProblem } from '../auth/password.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import type { Mailer, MailMessage } from '../mail/mailer.js';
import { findTenantById, type Tenant } from '../tenants/tenants.js';
import { logLine } from '../log.js';
import { invalidateUserSessions } from '../auth/session.js';

/*
 * Staff join by invitation only: the platform admin invites a Comune's operators, an operator
 * invites the staff of a school. The invitee gets an account with no password and a link
 * (email_tokens, purpose 'invite') with which they choose one; the link proves the mailbox.
 */

const INVITE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export type StaffRole = 'operator' | 'school_staff';

export interface Invitation {
	tenantId: number;
	role: StaffRole;
	/** school_staff only: the school whose enrolments they manage */
	schoolId: number | null;
	email: string;
	givenName: string;
	familyName: string;
}

export interface Actor {
	userId: string;
	ip: string;
}

export type InviteOutcome = { status: 'invited'; user: User; token: string } | { status: 'rejected'; message: string };

/** A fresh one-time link for `userId`; an earlier link not yet used stops working. */
function issueInviteLink(tx: Pick<Db, 'insert' | 'update'>, userId: string, now: Date): string {
	tx.update(emailTokens).set({ usedAt: now }).where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, 'invite'), isNull(emailTokens.usedAt))).run();
	const token = generateToken();
	tx.insert(emailTokens).values({ id: hashToken(token), userId, purpose: 'invite', createdAt: now, expiresAt: new Date(now.getTime() + INVITE_LIFETIME_MS) }).run();
	return token;
}

/**
 * A platform admin (no Comune) with an invitation link, for `npm run create-admin` on a new
 * install: the first admin cannot be invited by another. Run again for the same address, it
 * issues a fresh link to the same account, never a second account.
 */
export function invitePlatformAdmin(db: Db, clock: Clock, admin: { email: string; givenName: string; familyName: string }): { user: User; token: string; created: boolean } {
	const email = normalizeEmail(admin.email);
	const now = clock.now();
	return db.transaction((tx) => {
		const existing = findUserByEmail(db, null, email);
		const user =
			existing ??
			tx.insert(users).values({ id: newUserId(), tenantId: null, email, givenName: admin.givenName, familyName: admin.familyName, contactEmail: email, createdAt: now }).returning().get();
		const isAdmin = tx.select({ id: memberships.id }).from(memberships).where(and(eq(memberships.userId, user.id), eq(memberships.role, 'admin'))).get();
		if (!isAdmin) tx.insert(memberships).values({ tenantId: null, userId: user.id, role: 'admin', schoolId: null, createdAt: now }).run();
		const token = issueInviteLink(tx, user.id, now);
		recordAudit(tx, clock, { tenantId: null, actorUserId: null, action: 'user.invite', entity: 'user', entityId: user.id, details: { role: 'admin', email, via: 'create-admin' }, ip: '' });
		return { user, token, created: !existing };
	});
}

/**
 * A second invitation to someone who has not accepted yet replaces the first link; an address
 * that already has an account of its own in the Comune (a parent, a colleague) is refused rather
 * than handed staff rights behind its owner's back.
 */
export function inviteStaff(db: Db, clock: Clock, actor: Actor, invitation: Invitation): InviteOutcome {
	const email = normalizeEmail(invitation.email);
	const now = clock.now();
	return db.transaction((tx) => {
		let user = findUserByEmail(db, invitation.tenantId, email);
		if (user) {
			const held = tx.select({ role: memberships.role }).from(memberships).where(eq(memberships.userId, user.id)).all();
			if (hasPassword(db, user.id) || held.some((m) => m.role !== 'operator' && m.role !== 'school_staff')) {
				return { status: 'rejected', message: 'E-mail: questo indirizzo ha già un account attivo nel Comune; usane un altro.' } as const;
			}
		} else {
			user = tx
				.insert(users)
				.values({ id: newUserId(), tenantId: invitation.tenantId, email, givenName: invitation.givenName, familyName: invitation.familyName, contactEmail: email, createdAt: now })
				.returning()
				.get();
		}
		const schoolCondition = invitation.schoolId === null ? isNull(memberships.schoolId) : eq(memberships.schoolId, invitation.schoolId);
		const member = tx.select({ id: memberships.id }).from(memberships).where(and(eq(memberships.userId, user.id), eq(memberships.role, invitation.role), schoolCondition)).get();
		if (!member) tx.insert(memberships).values({ tenantId: invitation.tenantId, userId: user.id, role: invitation.role, schoolId: invitation.schoolId, createdAt: now }).run();
		const token = issueInviteLink(tx, user.id, now);
		recordAudit(tx, clock, {
			tenantId: invitation.tenantId,
			actorUserId: actor.userId,
			action: 'user.invite',
			entity: 'user',
			entityId: user.id,
			details: { role: invitation.role, schoolId: invitation.schoolId, email },
			ip: actor.ip
		});
		return { status: 'invited', user, token } as const;
	});
}

const roleNames: Record<StaffRole, string> = { operator: 'operatore dell’ufficio scuola', school_staff: 'personale della scuola' };

/** `tenant` null: the platform's own administration, no Comune. */
function invitationMessage(tenant: Pick<Tenant, 'name'> | null, to: string, role: StaffRole | 'admin', schoolName: string | null, link: string): MailMessage {
	const what = role === 'admin' ? 'amministratore della piattaforma' : schoolName ? `${roleNames[role]} (${schoolName})` : roleNames[role];
	const where = tenant ? `Mensa Aperta, il servizio di refezione scolastica del Comune di ${tenant.name}` : 'Mensa Aperta';
	return {
		to,
		subject: tenant ? `Invito a Mensa Aperta — Comune di ${tenant.name}` : 'Invito a Mensa Aperta — amministrazione della piattaforma',
		text:
			`Buongiorno,\n\nè stato creato per lei un accesso a ${where}, come ${what}.\n\n` +
			`Per attivarlo scelga una password da questo link, entro 7 giorni. Il link vale una sola volta.\n\n${link}\n\n` +
			`Se non aspettava questo invito, ignori il messaggio: senza password l’accesso resta chiuso.\n\n—\n${tenant ? `Comune di ${tenant.name} · servizi scolastici\n` : ''}Mensa Aperta`
	};
}

/** Awaited, unlike the sign-in mails: the one who invites must know whether the message left. */
export async function mailInvitation(mailer: Mailer, origin: string, tenant: Pick<Tenant, 'name'> | null, to: string, role: StaffRole | 'admin', schoolName: string | null, token: string): Promise<boolean> {
	try {
		await mailer.send(invitationMessage(tenant, to, role, schoolName, `${origin}/invito?token=${token}`));
		return true;
	} catch (error) {
		logLine('[mail] invito non inviato', error);
		return false;
	}
}

export type InvitationState =
	/** tenant null: a platform admin's invitation */
	| { status: 'valid'; user: User; tenant: Tenant | null; tokenId: string }
	| { status: 'used' }
	| { status: 'expired' }
	| { status: 'invalid' };

/** Used and expired links are told apart, so the page can say what to do next. */
export function findInvitation(db: Db, clock: Clock, token: string): InvitationState {
	const row = db
		.select({ token: emailTokens, user: users })
		.from(emailTokens)
		.innerJoin(users, eq(users.id, emailTokens.userId))
		.where(and(eq(emailTokens.id, hashToken(token)), eq(emailTokens.purpose, 'invite')))
		.get();
	if (!row) return { status: 'invalid' };
	if (row.token.usedAt) return { status: 'used' };
	if (row.token.expiresAt.getTime() <= clock.now().getTime()) return { status: 'expired' };
	if (row.user.tenantId === null) return { status: 'valid', user: row.user, tenant: null, tokenId: row.token.id };
	const tenant = findTenantById(db, row.user.tenantId);
	return tenant ? { status: 'valid', user: row.user, tenant, tokenId: row.token.id } : { status: 'invalid' };
}

export type AcceptOutcome =
	| { status: 'accepted'; user: User; tenant: Tenant | null }
	| { status: 'used' | 'expired' | 'invalid' }
	| { status: 'weak_password'; problem: PasswordProblem };

export async function acceptInvitation(db: Db, clock: Clock, token: string, password: string, ip: string): Promise<AcceptOutcome> {
	const found = findInvitation(db, clock, token);
	if (found.status !== 'valid') return found;
	const { user, tenant } = found;
	// A weak choice leaves the link usable for a second try.
	const problem = checkPasswordStrength(password, [user.email ?? '', user.email?.split('@')[0] ?? '', user.givenName, user.familyName]);
	if (problem) return { status: 'weak_password', problem };
	const hash = await hashPassword(password);
	const now = clock.now();
	return db.transaction((tx) => {
		// Spent inside the transaction: two tabs submitting the same link set one password.
		const spent = tx.update(emailTokens).set({ usedAt: now }).where(and(eq(emailTokens.id, found.tokenId), isNull(emailTokens.usedAt))).run();
		if (spent.changes !== 1) return { status: 'used' } as const;
		const hadPassword = tx.select({ id: passwordCredentials.userId }).from(passwordCredentials).where(eq(passwordCredentials.userId, user.id)).get() !== undefined;
		tx.insert(passwordCredentials).values({ userId: user.id, hash, updatedAt: now }).onConflictDoUpdate({ target: passwordCredentials.userId, set: { hash, updatedAt: now } }).run();
		// A link for an account that had a password (create-admin run again: the admin's way back
		// in) is a reset: whoever held the old password is signed out, as after any reset.
		if (hadPassword) invalidateUserSessions(db, user.id);
		tx.update(users).set({ emailVerifiedAt: now }).where(eq(users.id, user.id)).run();
		recordAudit(tx, clock, { tenantId: tenant?.id ?? null, actorUserId: user.id, action: 'user.invite_accept', entity: 'user', entityId: user.id, ip });
		return { status: 'accepted', user, tenant } as const;
	});
}
