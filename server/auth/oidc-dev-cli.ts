import { loadConfig } from '../config.js';
import { startOidcDevProvider, testIdentities } from './oidc-dev-provider.js';

// `npm run oidc-dev`: the test SPID/CIE provider on its own, for an app started with OIDC_DEV=off.
const config = loadConfig(process.env);
const provider = await startOidcDevProvider({ port: config.oidcDevPort ?? 3001, redirectUris: [`${config.origin}/auth/oidc/callback`] });
console.log(`Provider SPID/CIE di test su ${provider.issuer}`);
for (const i of testIdentities) console.log(`  ${i.givenName} ${i.familyName} — ${i.fiscalCode}`);
