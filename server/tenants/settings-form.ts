import type { TenantSettingsInput } from '../../src/lib/shared/setup-schemas.js';
import { foldForSearch } from '../../src/lib/shared/text.js';
import type { tenants } from '../db/schema.js';
import { PaymentSettings, paymentSettingsForEditing } from '../payments/settings.js';
import type { Tenant } from './tenants.js';
import type { Sealer } from '../auth/sealed.js';
import { isSealedText, readTenantSecret, sealTenantSecret, type TenantSecretName } from './tenant-secrets.js';

/*
 * The admin's Comune form against the stored row: columns, and the payment settings JSON, which is
 * validated by the payments module's own schema. Secrets go out masked and come back empty when
 * unchanged, so a form never carries one in full; they are stored sealed (tenant-secrets.ts).
 */

/** Enough of a secret to recognise it, never enough to use it. */
function maskSecret(secret: string | null | undefined): string | null {
	if (!secret) return null;
	return secret.length <= 8 ? '••••' : `••••${secret.slice(-4)}`;
}

/** The form's starting values: every setting, secrets left empty (with their masks apart). */
export function settingsFormOf(t: Tenant, sealer: Sealer) {
	const { settings: p, problem } = paymentSettingsForEditing(t.paymentSettings);
	const live = p.pagopa.mode === 'live' ? p.pagopa : null;
	const values: TenantSettingsInput = {
		name: t.name,
		province: t.province,
		codiceFiscaleEnte: t.codiceFiscaleEnte,
		contactOffice: t.contactOffice,
		contactName: t.contactName,
		contactPhone: t.contactPhone,
		contactEmail: t.contactEmail,
		cutoffTime: t.cutoffTime,
		spidEnabled: t.spidEnabled,
		cieEnabled: t.cieEnabled,
		oidcIssuer: t.oidcIssuer ?? '',
		oidcClientId: t.oidcClientId ?? '',
		oidcClientSecret: '',
		segregationCode: p.segregationCode,
		pagopaMode: p.pagopa.mode,
		checkoutBaseUrl: live?.checkoutBaseUrl ?? '',
		gpdBaseUrl: live?.gpdBaseUrl ?? '',
		checkoutSubscriptionKey: '',
		gpdSubscriptionKey: '',
		iban: live?.iban ?? '',
		transferCategory: live?.transferCategory ?? '',
		receiptSecret: '',
		lisMode: p.lis.mode,
		lisSecret: '',
		letterInstructions: t.letterInstructions
	};
	// One that does not open here has no mask: the admin is told to type it again.
	const unreadable: TenantSecretName[] = [];
	const mask = (name: TenantSecretName, stored: string | null | undefined) => {
		const read = readTenantSecret(sealer, t.slug, name, stored);
		if (read.status === 'unreadable') unreadable.push(name);
		return read.status === 'set' ? maskSecret(read.value) : null;
	};
	const secrets = {
		oidcClientSecret: mask('oidcClientSecret', t.oidcClientSecret),
		checkoutSubscriptionKey: mask('checkoutSubscriptionKey', live?.checkoutSubscriptionKey),
		gpdSubscriptionKey: mask('gpdSubscriptionKey', live?.gpdSubscriptionKey),
		receiptSecret: mask('receiptSecret', p.receiptSecret),
		lisSecret: mask('lisSecret', p.lisSecret)
	};
	// Stored settings damaged by hand: the form shows the defaults, says so, and saving it mends them.
	const storedProblem = problem && `Le impostazioni di pagamento salvate non sono valide (${problem}): i pagamenti di questo Comune sono fermi. Controlla i campi qui sotto e salva per ripristinarle.`;
	return { values, secrets, unreadable, storedProblem };
}

const liveFields: Record<string, string> = {
	checkoutBaseUrl: 'URL di Checkout',
	gpdBaseUrl: 'URL di GPD',
	checkoutSubscriptionKey: 'Chiave di Checkout',
	gpdSubscriptionKey: 'Chiave di GPD',
	iban: 'IBAN',
	transferCategory: 'Tassonomia'
};

type Columns = Omit<typeof tenants.$inferInsert, 'id' | 'slug' | 'createdAt'>;

/**
 * The row's new columns, or the fields to fix; `stored` is the Comune as it is (none when new).
 * Secrets are checked in clear and stored sealed; one left unchanged keeps its stored form.
 */
export function columnsOf(input: TenantSettingsInput, stored: Tenant | null, slug: string, sealer: Sealer): { columns: Columns } | { fieldErrors: Record<string, string> } {
	const old = paymentSettingsForEditing(stored?.paymentSettings ?? '{}').settings;
	const oldLive = old.pagopa.mode === 'live' ? old.pagopa : null;
	// A secret left empty keeps the stored one, sealed, if it opens here; one that does not must be typed again.
	const keptOf = (name: TenantSecretName, previous: string | null | undefined) => {
		const read = readTenantSecret(sealer, slug, name, previous);
		if (read.status !== 'set') return null;
		return isSealedText(previous!) ? previous! : sealTenantSecret(sealer, slug, name, read.value);
	};
	const previous: Record<TenantSecretName, string | null> = {
		oidcClientSecret: keptOf('oidcClientSecret', stored?.oidcClientSecret),
		checkoutSubscriptionKey: keptOf('checkoutSubscriptionKey', oldLive?.checkoutSubscriptionKey),
		gpdSubscriptionKey: keptOf('gpdSubscriptionKey', oldLive?.gpdSubscriptionKey),
		receiptSecret: keptOf('receiptSecret', old.receiptSecret),
		lisSecret: keptOf('lisSecret', old.lisSecret)
	};
	// Checked as typed (a sealed value is always long enough): the lengths apply to what the admin typed.
	const kept = (name: TenantSecretName) => input[name] || previous[name] || '';
	const candidate = {
		...old,
		segregationCode: input.segregationCode,
		pagopa:
			input.pagopaMode === 'simulator'
				? { mode: 'simulator' as const }
				: {
						mode: 'live' as const,
						checkoutBaseUrl: input.checkoutBaseUrl,
						gpdBaseUrl: input.gpdBaseUrl,
						checkoutSubscriptionKey: kept('checkoutSubscriptionKey'),
						gpdSubscriptionKey: kept('gpdSubscriptionKey'),
						iban: input.iban,
						transferCategory: input.transferCategory
					},
		receiptSecret: kept('receiptSecret') || null,
		lisSecret: kept('lisSecret') || null,
		lis: { mode: input.lisMode }
	};
	const fieldErrors: Record<string, string> = {};
	const parsed = PaymentSettings.safeParse(candidate);
	for (const issue of parsed.error?.issues ?? []) {
		const field = String(issue.path.at(-1));
		if (field in liveFields) fieldErrors[field] ??= `${liveFields[field]}: obbligatorio e valido per pagoPA in produzione`;
		else if (field === 'receiptSecret') fieldErrors.receiptSecret ??= 'Segreto delle ricevute: almeno 32 caratteri';
		else if (field === 'lisSecret') fieldErrors.lisSecret ??= 'Segreto Punto LIS: almeno 32 caratteri';
		else fieldErrors[field] ??= 'Valore non valido';
	}
	// Without them the live receivers refuse every notification: say so now, not at the first payment.
	if (input.pagopaMode === 'live' && !candidate.receiptSecret) fieldErrors.receiptSecret ??= 'Segreto delle ricevute: obbligatorio per pagoPA in produzione (almeno 32 caratteri)';
	if (input.lisMode === 'live' && !candidate.lisSecret) fieldErrors.lisSecret ??= 'Segreto Punto LIS: obbligatorio in produzione (almeno 32 caratteri)';
	if (input.oidcIssuer && !input.oidcClientId) fieldErrors.oidcClientId = 'Client ID: obbligatorio con un issuer';
	if (input.oidcIssuer && !kept('oidcClientSecret')) fieldErrors.oidcClientSecret = 'Client secret: obbligatorio con un issuer';
	if (Object.keys(fieldErrors).length || !parsed.success) return { fieldErrors };
	// Stored sealed: a value typed now, or the one kept.
	const sealed = (name: TenantSecretName) => (input[name] ? sealTenantSecret(sealer, slug, name, input[name]) : previous[name]);
	const settings = parsed.data;
	const pagopa = settings.pagopa.mode === 'live' ? { ...settings.pagopa, checkoutSubscriptionKey: sealed('checkoutSubscriptionKey')!, gpdSubscriptionKey: sealed('gpdSubscriptionKey')! } : settings.pagopa;
	const paymentSettings: PaymentSettings = { ...settings, pagopa, receiptSecret: sealed('receiptSecret'), lisSecret: sealed('lisSecret') };
	return {
		columns: {
			name: input.name,
			searchName: foldForSearch(input.name),
			province: input.province,
			codiceFiscaleEnte: input.codiceFiscaleEnte,
			contactOffice: input.contactOffice,
			contactName: input.contactName,
			contactPhone: input.contactPhone,
			contactEmail: input.contactEmail,
			cutoffTime: input.cutoffTime,
			spidEnabled: input.spidEnabled,
			cieEnabled: input.cieEnabled,
			oidcIssuer: input.oidcIssuer || null,
			oidcClientId: input.oidcIssuer ? input.oidcClientId : null,
			oidcClientSecret: input.oidcIssuer ? sealed('oidcClientSecret') : null,
			paymentSettings: JSON.stringify(paymentSettings),
			letterInstructions: input.letterInstructions
		}
	};
}

/** Which settings an edit touched, for the audit log: names only, never a secret's value. */
export function changedSettings(before: Tenant, after: Columns): string[] {
	const changed = (Object.keys(after) as (keyof Columns)[]).filter((k) => k !== 'searchName' && k !== 'paymentSettings' && before[k as keyof Tenant] !== after[k]);
	if (after.paymentSettings !== undefined && before.paymentSettings !== after.paymentSettings) changed.push('paymentSettings');
	return changed;
}
