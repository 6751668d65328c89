import { and, eq, lt } from 'drizzle-orm';
import * as client from 'openid-client';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { memberships, oidcIdentities, oidcLoginStates, users } from '../db/schema.js';
import type { Tenant } from '../tenants/tenants.js';
import { isValidCodiceFiscale, normalizeCodiceFiscale } from '../../src/lib/shared/codice-fiscale.js';
import { recordAudit } from '../audit/log.js';
import { newUserId, normalizeEmail, type User } from './accounts.js';
import { generateToken } from './tokens.js';

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
		message: string
	) {
		super(message);
	}
}

const configurations = new Map<string, Promise<client.Configuration>>();

function configurationFor(rp: RelyingParty): Promise<client.Configuration> {
	const key = `${rp.issuer}|${rp.clientId}`;
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
	if (!state || state !== cookieState) throw new OidcError('STATE', 'Accesso non riuscito: la sessione di accesso non è valida. Riprova.');
	const row = db.delete(oidcLoginStates).where(eq(oidcLoginStates.state, state)).returning().get();
	if (!row || row.expiresAt.getTime() <= clock.now().getTime()) {
		throw new OidcError('STATE', 'Accesso non riuscito: la richiesta è scaduta. Riprova.');
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
		console.error('[oidc] login failed', error);
		throw new OidcError('PROVIDER', 'Accesso con identità digitale non riuscito o annullato. Riprova.');
	}
	const fiscal = String(claims[FISCAL_NUMBER_CLAIM] ?? '');
	const fiscalCode = normalizeCodiceFiscale(fiscal.replace(/^TINIT-/i, ''));
	if (!isValidCodiceFiscale(fiscalCode)) {
		throw new OidcError('CLAIMS', "L'identità digitale non ha fornito un codice fiscale valido.");
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

/**
 * The first SPID/CIE login creates the guardian, or links the identity to the account that
 * already carries the same fiscal code in this Comune; either way the fiscal code is now proved.
 */
export function signInWithIdentity(db: Db, clock: Clock, tenantId: number, identity: VerifiedIdentity, ip = ''): User {
	return db.transaction((tx) => {
		const now = clock.now();
		const known = tx
			.select({ user: users })
			.from(oidcIdentities)
			.innerJoin(users, eq(users.id, oidcIdentities.userId))
			.where(and(eq(oidcIdentities.tenantId, tenantId), eq(oidcIdentities.issuer, identity.issuer), eq(oidcIdentities.subject, identity.subject)))
			.get();
		let user = known?.user ?? tx.select().from(users).where(and(eq(users.tenantId, tenantId), eq(users.codiceFiscale, identity.fiscalCode))).get();
		if (!user) {
			const emailTaken = identity.email && tx.select({ id: users.id }).from(users).where(and(eq(users.tenantId, tenantId), eq(users.email, identity.email))).get();
			user = tx
				.insert(users)
				.values({
					id: newUserId(),
					tenantId,
					email: emailTaken ? null : identity.email,
					emailVerifiedAt: null,
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
		}
		if (!known) {
			tx.insert(oidcIdentities).values({ tenantId, userId: user.id, issuer: identity.issuer, subject: identity.subject, fiscalCode: identity.fiscalCode, createdAt: now }).run();
			recordAudit(tx, clock, { tenantId, actorUserId: user.id, action: 'user.link_identity', entity: 'user', entityId: user.id, details: { issuer: identity.issuer }, ip });
		}
		const verified = { fiscalCodeVerifiedAt: now, givenName: identity.givenName || user.givenName, familyName: identity.familyName || user.familyName };
		tx.update(users).set(verified).where(eq(users.id, user.id)).run();
		return { ...user, ...verified };
	});
}
