import type { TenantSettingsInput } from '../../src/lib/shared/setup-schemas.js';
import { foldForSearch } from '../../src/lib/shared/text.js';
import type { tenants } from '../db/schema.js';
import { PaymentSettings, readPaymentSettings } from '../payments/settings.js';
import type { Tenant } from './tenants.js';
import type { Sealer } from '../auth/sealed.js';
import { isSealedText, openTenantSecret, sealTenantSecret, TenantSecretUnreadable, type TenantSecretName } from './tenant-secrets.js';

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
	const p = readPaymentSettings(t.paymentSettings);
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
	const mask = (name: TenantSecretName, stored: string | null | undefined) => {
		try {
			return maskSecret(openTenantSecret(sealer, t.slug, name, stored));
		} catch (error) {
			if (error instanceof TenantSecretUnreadable) return 'non leggibile su questo server: va reinserito';
			throw error;
		}
	};
	const secrets = {
		oidcClientSecret: mask('oidcClientSecret', t.oidcClientSecret),
		checkoutSubscriptionKey: mask('checkoutSubscriptionKey', live?.checkoutSubscriptionKey),
		gpdSubscriptionKey: mask('gpdSubscriptionKey', live?.gpdSubscriptionKey),
		receiptSecret: mask('receiptSecret', p.receiptSecret),
		lisSecret: mask('lisSecret', p.lisSecret)
	};
	return { values, secrets };
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
	const old = readPaymentSettings(stored?.paymentSettings ?? '{}');
	const oldLive = old.pagopa.mode === 'live' ? old.pagopa : null;
	const kept = (fresh: string, previous: string | null | undefined) => fresh || previous || '';
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
						checkoutSubscriptionKey: kept(input.checkoutSubscriptionKey, oldLive?.checkoutSubscriptionKey),
						gpdSubscriptionKey: kept(input.gpdSubscriptionKey, oldLive?.gpdSubscriptionKey),
						iban: input.iban,
						transferCategory: input.transferCategory
					},
		receiptSecret: kept(input.receiptSecret, old.receiptSecret) || null,
		lisSecret: kept(input.lisSecret, old.lisSecret) || null,
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
	const oidcClientSecret = kept(input.oidcClientSecret, stored?.oidcClientSecret) || null;
	if (input.oidcIssuer && !oidcClientSecret) fieldErrors.oidcClientSecret = 'Client secret: obbligatorio con un issuer';
	if (Object.keys(fieldErrors).length || !parsed.success) return { fieldErrors };
	// A value typed now is sealed; a kept one stays as stored, unless it was stored before sealing existed.
	const seal = (name: TenantSecretName, fresh: string, previous: string | null | undefined) => {
		const value = fresh || previous;
		if (!value) return null;
		return fresh || !isSealedText(value) ? sealTenantSecret(sealer, slug, name, value) : value;
	};
	const settings = parsed.data;
	const pagopa =
		settings.pagopa.mode === 'live'
			? { ...settings.pagopa, checkoutSubscriptionKey: seal('checkoutSubscriptionKey', input.checkoutSubscriptionKey, oldLive?.checkoutSubscriptionKey)!, gpdSubscriptionKey: seal('gpdSubscriptionKey', input.gpdSubscriptionKey, oldLive?.gpdSubscriptionKey)! }
			: settings.pagopa;
	const paymentSettings: PaymentSettings = { ...settings, pagopa, receiptSecret: seal('receiptSecret', input.receiptSecret, old.receiptSecret), lisSecret: seal('lisSecret', input.lisSecret, old.lisSecret) };
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
			oidcClientSecret: input.oidcIssuer ? seal('oidcClientSecret', input.oidcClientSecret, stored?.oidcClientSecret) : null,
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
