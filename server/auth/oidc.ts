import { and, desc, eq, lt } from 'drizzle-orm';
import * as client from 'openid-client';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { memberships, oidcIdentities, oidcLoginStates, users } from '../db/schema.js';
import type { Tenant } from '../tenants/tenants.js';
import { isValidCodiceFiscale, normalizeCodiceFiscale } from '../../src/lib/shared/codice-fiscale.js';
import { LOGIN_PROBLEMS, type LoginProblem } from '../../src/lib/shared/login-problems.js';
import { recordAudit } from '../audit/log.js';
import { newUserId, normalizeEmail, type User } from './accounts.js';
import { generateToken } from './tokens.js';
import { logLine } from '../log.js';
import { createHash } from 'node:crypto';

export const FISCAL_NUMBER_CLAIM = 'https://attributes.eid.gov.it/fiscal_number';
const STATE_LIFETIME_MS = 10 * 60 * 1000;

export type EidProvider = 'spid' | 'cie';

export interface RelyingParty {
	issuer: string;
	clientId: string;
	clientSecret: string;
	redirectUri: string;
}

export class OidcError extends Error {
	constructor(
		readonly code: 'STATE' | 'PROVIDER' | 'CLAIMS',
		readonly problem: LoginProblem
	) {
		super(LOGIN_PROBLEMS[problem]);
	}
}

const configurations = new Map<string, Promise<client.Configuration>>();

function configurationFor(rp: RelyingParty): Promise<client.Configuration> {
	// The secret is part of the key: one the admin types again takes effect at the next login, not at a restart.
	const key = `${rp.issuer}|${rp.clientId}|${createHash('sha256').update(rp.clientSecret).digest('base64url')}`;
	let config = configurations.get(key);
	if (!config) {
		const url = new URL(rp.issuer);
		// Plain http is allowed only for a provider on this machine (the embedded test provider).
		const local = url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
		config = client.discovery(url, rp.clientId, rp.clientSecret, undefined, local ? { execute: [client.allowInsecureRequests] } : undefined);
		config.catch(() => configurations.delete(key));
		configurations.set(key, config);
	}
	return config;
}

/** Step 1: remember the PKCE verifier and nonce under a fresh state, and build the provider URL. */
export async function beginOidcLogin(db: Db, clock: Clock, tenant: Tenant, provider: EidProvider, rp: RelyingParty): Promise<{ url: URL; state: string }> {
	const config = await configurationFor(rp);
	const codeVerifier = client.randomPKCECodeVerifier();
	const state = generateToken();
	const nonce = generateToken();
	const now = clock.now().getTime();
	db.delete(oidcLoginStates).where(lt(oidcLoginStates.expiresAt, new Date(now))).run();
	db.insert(oidcLoginStates)
		.values({ state, tenantId: tenant.id, provider, codeVerifier, nonce, expiresAt: new Date(now + STATE_LIFETIME_MS) })
		.run();
	const url = client.buildAuthorizationUrl(config, {
		redirect_uri: rp.redirectUri,
		scope: 'openid profile email',
		code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
		code_challenge_method: 'S256',
		state,
		nonce,
		idp_hint: provider
	});
	return { url, state };
}

export interface VerifiedIdentity {
	issuer: string;
	subject: string;
	fiscalCode: string;
	givenName: string;
	familyName: string;
	email: string | null;
}

/** Step 2: the state must match the browser's cookie, be unused and unexpired; it is spent here. */
export function takeLoginState(db: Db, clock: Clock, state: string | null, cookieState: string | undefined) {
	if (!state || state !== cookieState) throw new OidcError('STATE', 'sessione-non-valida');
	const row = db.delete(oidcLoginStates).where(eq(oidcLoginStates.state, state)).returning().get();
	if (!row || row.expiresAt.getTime() <= clock.now().getTime()) {
		throw new OidcError('STATE', 'richiesta-scaduta');
	}
	return row;
}

export async function completeOidcLogin(rp: RelyingParty, currentUrl: URL, loginState: { state: string; codeVerifier: string; nonce: string }): Promise<VerifiedIdentity> {
	const config = await configurationFor(rp);
	let claims: Record<string, unknown>;
	let subject: string;
	try {
		const tokens = await client.authorizationCodeGrant(config, currentUrl, {
			pkceCodeVerifier: loginState.codeVerifier,
			expectedState: loginState.state,
			expectedNonce: loginState.nonce,
			idTokenExpected: true
		});
		subject = tokens.claims()!.sub;
		claims = { ...tokens.claims(), ...(await client.fetchUserInfo(config, tokens.access_token, subject)) };
	} catch (error) {
		logLine('[oidc] login failed', error);
		throw new OidcError('PROVIDER', 'annullato');
	}
	const fiscal = String(claims[FISCAL_NUMBER_CLAIM] ?? '');
	const fiscalCode = normalizeCodiceFiscale(fiscal.replace(/^TINIT-/i, ''));
	if (!isValidCodiceFiscale(fiscalCode)) {
		throw new OidcError('CLAIMS', 'codice-fiscale');
	}
	return {
		issuer: config.serverMetadata().issuer,
		subject,
		fiscalCode,
		givenName: String(claims.given_name ?? ''),
		familyName: String(claims.family_name ?? ''),
		email: typeof claims.email === 'string' ? normalizeEmail(claims.email) : null
	};
}

export type SignInResult = { status: 'signed_in'; user: User } | { status: 'confirm_link'; candidate: User };

/**
 * A known identity signs in. A new one is linked at once to an account whose fiscal code an
 * earlier SPID/CIE login proved; an account whose fiscal code was only typed must first be
 * claimed with its password (anyone can type someone else's code at registration), otherwise
 * a new guardian account is made.
 */
export function signInWithIdentity(db: Db, clock: Clock, tenantId: number, identity: VerifiedIdentity, ip = ''): SignInResult {
	return db.transaction((tx) => {
		const known = tx
			.select({ user: users })
			.from(oidcIdentities)
			.innerJoin(users, eq(users.id, oidcIdentities.userId))
			.where(and(eq(oidcIdentities.tenantId, tenantId), eq(oidcIdentities.issuer, identity.issuer), eq(oidcIdentities.subject, identity.subject)))
			.get();
		if (known) return { status: 'signed_in', user: markProved(tx, clock, known.user, identity) } as const;
		const sameCode = tx
			.select()
			.from(users)
			.where(and(eq(users.tenantId, tenantId), eq(users.codiceFiscale, identity.fiscalCode)))
			.orderBy(desc(users.fiscalCodeVerifiedAt), desc(users.createdAt))
			.all();
		const proved = sameCode.find((u) => u.fiscalCodeVerifiedAt !== null);
		if (proved) return { status: 'signed_in', user: linkIdentity(tx, clock, tenantId, proved, identity, ip) } as const;
		const claimable = sameCode.find((u) => u.emailVerifiedAt !== null);
		if (claimable) return { status: 'confirm_link', candidate: claimable } as const;
		return { status: 'signed_in', user: createIdentityAccount(tx, clock, tenantId, identity, ip) } as const;
	});
}

type Tx = Pick<Db, 'select' | 'insert' | 'update'>;

function markProved(tx: Tx, clock: Clock, user: User, identity: VerifiedIdentity): User {
	const proved = {
		fiscalCodeVerifiedAt: clock.now(),
		givenName: identity.givenName || user.givenName,
		familyName: identity.familyName || user.familyName
	};
	tx.update(users).set(proved).where(eq(users.id, user.id)).run();
	return { ...user, ...proved };
}

export function linkIdentity(tx: Tx, clock: Clock, tenantId: number, user: User, identity: VerifiedIdentity, ip = ''): User {
	tx.insert(oidcIdentities)
		.values({ tenantId, userId: user.id, issuer: identity.issuer, subject: identity.subject, fiscalCode: identity.fiscalCode, createdAt: clock.now() })
		.run();
	recordAudit(tx, clock, { tenantId, actorUserId: user.id, action: 'user.link_identity', entity: 'user', entityId: user.id, details: { issuer: identity.issuer }, ip });
	return markProved(tx, clock, user, identity);
}

export function createIdentityAccount(tx: Tx, clock: Clock, tenantId: number, identity: VerifiedIdentity, ip = ''): User {
	const now = clock.now();
	const emailTaken = identity.email && tx.select({ id: users.id }).from(users).where(and(eq(users.tenantId, tenantId), eq(users.email, identity.email))).get();
	const user = tx
		.insert(users)
		.values({
			id: newUserId(),
			tenantId,
			email: emailTaken ? null : identity.email,
			givenName: identity.givenName,
			familyName: identity.familyName,
			codiceFiscale: identity.fiscalCode,
			contactEmail: identity.email ?? '',
			createdAt: now
		})
		.returning()
		.get();
	tx.insert(memberships).values({ tenantId, userId: user.id, role: 'guardian', createdAt: now }).run();
	recordAudit(tx, clock, { tenantId, actorUserId: user.id, action: 'user.create', entity: 'user', entityId: user.id, details: { via: 'oidc' }, ip });
	return linkIdentity(tx, clock, tenantId, user, identity, ip);
}
