import type { Runtime } from '../runtime.js';
import { findTenantBySlug, type Tenant } from '../tenants/tenants.js';
import { alreadyRegisteredMessage, resetPasswordMessage, verifyEmailMessage } from '../mail/messages.js';
import type { MailMessage } from '../mail/mailer.js';
import { recordAudit } from '../audit/log.js';
import {
	changePassword,
	type ChangePasswordResult,
	findUserByEmail,
	issueVerifyToken,
	loginWithPassword,
	normalizeEmail,
	registerGuardian,
	requestPasswordReset,
	resetPassword,
	userRoles,
	verifyEmail,
	type Registration,
	type User
} from './accounts.js';
import type { PasswordProblem } from './password.js';
import { consumeRateLimit, rateRules, resetRateLimit, secondFactorLimitKey, type RateRule } from './rate-limit.js';
import { createSession, generateSessionToken } from './session.js';
import { homeFor, SECOND_FACTOR_PAGE } from './home.js';
import { needsSecondFactor, proveSecondFactor } from './second-factor.js';
import { logLine } from '../log.js';

/*
 * The sign-in flows as a user meets them: rate limits, the domain step, the e-mail. Each
 * returns a value the router turns into an answer; none throws for a user's mistake.
 */

export type Limited = { status: 'rate_limited'; retryAfterSeconds: number };
type NoTenant = { status: 'unknown_tenant' };

function limit(rt: Runtime, checks: [string, RateRule][]): Limited | null {
	for (const [key, rule] of checks) {
		const decision = consumeRateLimit(rt.db, rt.clock, key, rule);
		if (!decision.allowed) return { status: 'rate_limited', retryAfterSeconds: decision.retryAfterSeconds };
	}
	return null;
}

/**
 * Mail goes out after the answer: a mail server that is down must not turn a registration into
 * an error page, and a known address must not answer slower than an unknown one.
 */
function sendInBackground(rt: Runtime, message: MailMessage): void {
	rt.mailer.send(message).catch((error) => logLine(`[mail] invio non riuscito: «${message.subject}»`, error));
}

const loginUrl = (rt: Runtime, tenant: Tenant, path = '') => `${rt.config.origin}/login/${tenant.slug}${path}`;

export type RegisterOutcome = { status: 'sent' } | { status: 'weak_password'; problem: PasswordProblem } | { status: 'password_disabled' } | Limited | NoTenant;

export async function register(rt: Runtime, ip: string, input: Registration & { tenantSlug: string }): Promise<RegisterOutcome> {
	const tenant = findTenantBySlug(rt.db, input.tenantSlug);
	if (!tenant) return { status: 'unknown_tenant' };
	if (!tenant.passwordLoginEnabled) return { status: 'password_disabled' };
	const limited = limit(rt, [[`register:ip:${ip}`, rateRules.registerIp]]);
	if (limited) return limited;
	const result = await registerGuardian(rt.db, rt.clock, tenant.id, input);
	if (result.status === 'weak_password') return result;
	if (result.status === 'created') {
		recordAudit(rt.db, rt.clock, { tenantId: tenant.id, actorUserId: result.user.id, action: 'user.register', entity: 'user', entityId: result.user.id, ip });
		sendInBackground(rt, verifyEmailMessage(tenant, result.user.email!, `${rt.config.origin}/verifica?token=${result.verifyToken}`));
	} else if (!limit(rt, [[`mail:acct:${result.user.id}`, rateRules.mailAccount]])) {
		// Same answer as a new registration; the owner of the address learns what happened.
		sendInBackground(rt, alreadyRegisteredMessage(tenant, result.user.email!, loginUrl(rt, tenant), loginUrl(rt, tenant, '/recupera')));
	}
	return { status: 'sent' };
}

export async function resendVerification(rt: Runtime, ip: string, input: { tenantSlug: string; email: string }): Promise<{ status: 'sent' } | Limited | NoTenant> {
	const tenant = findTenantBySlug(rt.db, input.tenantSlug);
	if (!tenant) return { status: 'unknown_tenant' };
	const limited = limit(rt, [
		[`mail:ip:${ip}`, rateRules.mailIp],
		[`mail:addr:${tenant.id}:${normalizeEmail(input.email)}`, rateRules.mailAccount]
	]);
	if (limited) return limited;
	const user = findUserByEmail(rt.db, tenant.id, input.email);
	if (user && !user.emailVerifiedAt && user.email) {
		sendInBackground(rt, verifyEmailMessage(tenant, user.email, `${rt.config.origin}/verifica?token=${issueVerifyToken(rt.db, rt.clock, user.id)}`));
	}
	return { status: 'sent' };
}

export function confirmEmail(rt: Runtime, token: string) {
	return verifyEmail(rt.db, rt.clock, token);
}

export type LoginOutcome =
	| { status: 'ok'; token: string; expiresAt: Date; home: string }
	| { status: 'invalid' }
	| { status: 'unverified' }
	| { status: 'password_disabled' }
	| Limited
	| NoTenant;

export async function login(rt: Runtime, ip: string, input: { tenantSlug?: string; email: string; password: string }): Promise<LoginOutcome> {
	let tenant: Tenant | null = null;
	if (input.tenantSlug) {
		tenant = findTenantBySlug(rt.db, input.tenantSlug) ?? null;
		if (!tenant) return { status: 'unknown_tenant' };
	}
	const accountKey = `login:acct:${tenant?.id ?? 'platform'}:${normalizeEmail(input.email)}`;
	const limited = limit(rt, [
		[`login:ip:${ip}`, rateRules.loginIp],
		[accountKey, rateRules.loginAccount]
	]);
	if (limited) return limited;
	const result = await loginWithPassword(rt.db, tenant?.id ?? null, input.email, input.password);
	if (result.status !== 'ok') return { status: result.status };
	const roles = userRoles(rt.db, result.user.id);
	// A Comune that turned passwords off still lets its own staff in; guardians use SPID/CIE.
	if (tenant && !tenant.passwordLoginEnabled && roles.every((r) => r.role === 'guardian')) return { status: 'password_disabled' };
	resetRateLimit(rt.db, accountKey);
	return { status: 'ok', ...openSession(rt, result.user, ip, 'password', { secondFactor: false }) };
}

/**
 * A new session for a user who just proved who they are; the caller puts the token in the cookie.
 * `secondFactor`: whether that proof already counts as two (SPID/CIE does; a password alone does
 * not, and a staff member is then sent to give the code of their authenticator).
 */
export function openSession(rt: Runtime, user: User, ip: string, via: string, { secondFactor }: { secondFactor: boolean }): { token: string; expiresAt: Date; home: string } {
	const token = generateSessionToken();
	const session = createSession(rt.db, rt.clock, token, user.id, secondFactor ? rt.clock.now() : null);
	recordAudit(rt.db, rt.clock, { tenantId: user.tenantId, actorUserId: user.id, action: 'session.login', entity: 'user', entityId: user.id, details: { via }, ip });
	const roles = userRoles(rt.db, user.id);
	return { token, expiresAt: session.expiresAt, home: !secondFactor && needsSecondFactor(roles) ? SECOND_FACTOR_PAGE : homeFor(roles) };
}

export async function startPasswordReset(rt: Runtime, ip: string, input: { tenantSlug?: string; email: string }): Promise<{ status: 'sent' } | Limited | NoTenant> {
	let tenant: Tenant | null = null;
	if (input.tenantSlug) {
		tenant = findTenantBySlug(rt.db, input.tenantSlug) ?? null;
		if (!tenant) return { status: 'unknown_tenant' };
	}
	const limited = limit(rt, [
		[`mail:ip:${ip}`, rateRules.mailIp],
		[`mail:addr:${tenant?.id ?? 'platform'}:${normalizeEmail(input.email)}`, rateRules.mailAccount]
	]);
	if (limited) return limited;
	const issued = requestPasswordReset(rt.db, rt.clock, tenant?.id ?? null, input.email);
	if (issued?.user.email) {
		sendInBackground(rt, resetPasswordMessage(tenant ?? { name: 'Mensa Aperta' }, issued.user.email, `${rt.config.origin}/reimposta?token=${issued.token}`));
	}
	return { status: 'sent' };
}

/** The session that changed the password carries on, renewed, with the same standing (second factor included). */
export async function changeOwnPassword(
	rt: Runtime,
	ip: string,
	user: User,
	session: { id: string; secondFactor: boolean },
	input: { currentPassword: string; newPassword: string; endOtherSessions: boolean }
): Promise<Limited | Exclude<ChangePasswordResult, { status: 'ok' }> | (Extract<LoginOutcome, { status: 'ok' }> & { otherSessionsEnded: number })> {
	const limited = limit(rt, [[`login:acct:${user.tenantId ?? 'platform'}:${user.email ?? user.id}`, rateRules.loginAccount]]);
	if (limited) return limited;
	const result = await changePassword(rt.db, rt.clock, user, { current: input.currentPassword, next: input.newPassword, sessionId: session.id, endOtherSessions: input.endOtherSessions });
	if (result.status !== 'ok') return result;
	recordAudit(rt.db, rt.clock, { tenantId: user.tenantId, actorUserId: user.id, action: 'user.password_change', entity: 'user', entityId: user.id, details: { otherSessionsEnded: result.otherSessionsEnded }, ip });
	return { status: 'ok', otherSessionsEnded: result.otherSessionsEnded, ...openSession(rt, user, ip, 'password_change', { secondFactor: session.secondFactor }) };
}

export async function finishPasswordReset(rt: Runtime, ip: string, input: { token: string; password: string }) {
	const result = await resetPassword(rt.db, rt.clock, input.token, input.password);
	if (result.status === 'ok') {
		recordAudit(rt.db, rt.clock, { tenantId: result.user.tenantId, actorUserId: result.user.id, action: 'user.password_reset', entity: 'user', entityId: result.user.id, ip });
	}
	return result;
}

/**
 * The code after the password, for the session that gave the password. Its own per-account count,
 * which a right password does not clear (else signing in again would give eight more guesses each
 * time), and a per-address count as loose as the login's, kept apart from it so that codes and
 * sign-ins from one school's address do not use up each other's: six digits are guessed in a
 * million tries, not in eight.
 */
export function proveCode(
	rt: Runtime,
	ip: string,
	auth: { user: User; session: { id: string } },
	code: string
): { status: 'ok'; home: string; recoveryCodes: string[] | null; recoveryCodesLeft: number } | { status: 'invalid' } | { status: 'key_unreadable' } | Limited {
	const { user } = auth;
	const accountKey = secondFactorLimitKey(user.id);
	const limited = limit(rt, [
		[`2fa:ip:${ip}`, rateRules.loginIp],
		[accountKey, rateRules.secondFactorAccount]
	]);
	if (limited) return limited;
	const outcome = proveSecondFactor(rt.db, rt.clock, rt.secrets, user.id, auth.session.id, code);
	if (outcome.status === 'key_unreadable') return outcome;
	if (outcome.status !== 'ok') return { status: 'invalid' };
	resetRateLimit(rt.db, accountKey);
	const action = outcome.recoveryCodes ? 'user.second_factor_enrol' : 'session.second_factor';
	recordAudit(rt.db, rt.clock, { tenantId: user.tenantId, actorUserId: user.id, action, entity: 'user', entityId: user.id, details: { recoveryCodesLeft: outcome.recoveryCodesLeft }, ip });
	return { status: 'ok', home: homeFor(userRoles(rt.db, user.id)), recoveryCodes: outcome.recoveryCodes, recoveryCodesLeft: outcome.recoveryCodesLeft };
}
