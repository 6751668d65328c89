import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import { FISCAL_NUMBER_CLAIM } from './oidc.js';

/**
 * A local stand-in for the SPID/CIE OpenID Connect providers, speaking the same protocol
 * (authorization code + PKCE, the eID fiscal_number claim). Its login page says plainly that
 * it is a test provider: it proves nothing about anyone.
 */

export interface TestIdentity {
	sub: string;
	givenName: string;
	familyName: string;
	fiscalCode: string;
	email: string;
}

export const testIdentities: TestIdentity[] = [
	{ sub: 'test-mario-bianchi', givenName: 'Mario', familyName: 'Bianchi', fiscalCode: 'BNCMRA79D10C663Z', email: 'mario.bianchi@example.com' },
	{ sub: 'test-paolo-conti', givenName: 'Paolo', familyName: 'Conti', fiscalCode: 'CNTPLA80M20D612L', email: 'paolo.conti@example.com' },
	{ sub: 'test-giulia-neri', givenName: 'Giulia', familyName: 'Neri', fiscalCode: 'NRIGLI90B55D612H', email: 'giulia.neri@example.com' }
];

export const TEST_CLIENT = { clientId: 'mensa-aperta', clientSecret: 'test-provider-secret-not-for-production' };

export interface OidcDevProvider {
	issuer: string;
	close(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
	return `<!doctype html><html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>
body{font-family:system-ui,sans-serif;margin:0;background:#f5f5f5;color:#1a1a1a}
.banner{background:#a61919;color:#fff;padding:12px 16px;font-weight:700}
main{max-width:520px;margin:24px auto;padding:0 16px}
button{display:block;width:100%;margin:8px 0;padding:14px;font-size:1rem;border:2px solid #0066cc;background:#fff;color:#0066cc;border-radius:6px;text-align:left;cursor:pointer}
button:focus{outline:3px solid #ffb400}
.cancel{border-color:#5c6f82;color:#33475b}
small{color:#33475b}
</style></head><body><div class="banner" role="alert">PROVIDER DI TEST — simulatore SPID/CIE, nessuna identità reale</div><main>${body}</main></body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
	let body = '';
	for await (const chunk of req) {
		body += chunk;
		if (body.length > 10_000) break;
	}
	return new URLSearchParams(body);
}

export async function startOidcDevProvider(opts: { port: number; redirectUris: string[]; host?: string }): Promise<OidcDevProvider> {
	const server: Server = createServer();
	await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? '127.0.0.1', resolve));
	const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;

	const configuration: Configuration = {
		clients: [
			{
				client_id: TEST_CLIENT.clientId,
				client_secret: TEST_CLIENT.clientSecret,
				redirect_uris: opts.redirectUris,
				grant_types: ['authorization_code'],
				response_types: ['code']
			}
		],
		pkce: { required: () => true },
		extraParams: ['idp_hint'],
		claims: {
			openid: ['sub'],
			profile: ['given_name', 'family_name', FISCAL_NUMBER_CLAIM],
			email: ['email']
		},
		cookies: { keys: ['oidc-dev-provider-cookie-key-for-tests-only'] },
		features: { devInteractions: { enabled: false } },
		async findAccount(_ctx, sub) {
			const identity = testIdentities.find((i) => i.sub === sub);
			if (!identity) return undefined;
			return {
				accountId: sub,
				async claims() {
					return {
						sub,
						given_name: identity.givenName,
						family_name: identity.familyName,
						email: identity.email,
						[FISCAL_NUMBER_CLAIM]: `TINIT-${identity.fiscalCode}`
					};
				}
			};
		},
		// Our only client is first-party: a grant covering what it asks is made without a consent page.
		async loadExistingGrant(ctx) {
			const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
			if (grantId) return ctx.oidc.provider.Grant.find(grantId);
			const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
			grant.addOIDCScope('openid profile email');
			grant.addOIDCClaims(['given_name', 'family_name', 'email', FISCAL_NUMBER_CLAIM]);
			await grant.save();
			return grant;
		}
	};
	const provider = new Provider(issuer, configuration);
	const callback = provider.callback();

	server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
		const match = /^\/interaction\/([\w-]+)(\/(login|abort))?$/.exec(req.url ?? '');
		if (!match) return callback(req, res);
		try {
			if (req.method === 'GET' && !match[2]) {
				const details = await provider.interactionDetails(req, res);
				const hint = details.params.idp_hint === 'cie' ? 'CIE' : 'SPID';
				const buttons = testIdentities
					.map((i) => `<button name="sub" value="${escapeHtml(i.sub)}">${escapeHtml(i.givenName)} ${escapeHtml(i.familyName)}<br><small>${i.fiscalCode}</small></button>`)
					.join('');
				res.setHeader('Content-Type', 'text/html; charset=utf-8');
				res.end(
					page(
						`Accesso di test ${hint}`,
						`<h1>Entra con ${hint} (test)</h1><p>Scegli un'identità di prova. Questo provider serve solo per provare Mensa Aperta.</p>
<form method="post" action="/interaction/${details.uid}/login">${buttons}</form>
<form method="post" action="/interaction/${details.uid}/abort"><button class="cancel">Annulla e torna al servizio</button></form>`
					)
				);
				return;
			}
			if (req.method === 'POST' && match[3] === 'login') {
				const sub = (await readForm(req)).get('sub') ?? '';
				if (!testIdentities.some((i) => i.sub === sub)) {
					res.statusCode = 400;
					res.end('Identità di test sconosciuta');
					return;
				}
				await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
				return;
			}
			if (req.method === 'POST' && match[3] === 'abort') {
				await provider.interactionFinished(req, res, { error: 'access_denied', error_description: "L'utente ha annullato l'accesso" }, { mergeWithLastSubmission: false });
				return;
			}
			res.statusCode = 405;
			res.end();
		} catch (error) {
			res.statusCode = 400;
			res.setHeader('Content-Type', 'text/html; charset=utf-8');
			res.end(page('Errore', `<h1>Sessione di accesso non valida</h1><p>${escapeHtml(String((error as Error).message))}</p>`));
		}
	});

	return {
		issuer,
		close: () => new Promise((resolve) => server.close(() => resolve()))
	};
}
