import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/*
 * Every tenant-owned table carries tenantId; read and write them through tenant-scope.ts.
 * Timestamps are epoch milliseconds (integer), calendar days ISO strings (YYYY-MM-DD),
 * money integer euro cents.
 */

const createdAt = () => integer('created_at', { mode: 'timestamp_ms' }).notNull();

export const tenants = sqliteTable('tenants', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	slug: text('slug').notNull().unique(),
	name: text('name').notNull(),
	/** name folded for the picker (case and accents removed) */
	searchName: text('search_name').notNull(),
	province: text('province').notNull().default(''),
	codiceFiscaleEnte: text('codice_fiscale_ente').notNull(),
	contactOffice: text('contact_office').notNull().default('Ufficio scuola'),
	contactName: text('contact_name').notNull().default(''),
	contactPhone: text('contact_phone').notNull().default(''),
	contactEmail: text('contact_email').notNull().default(''),
	cutoffTime: text('cutoff_time').notNull().default('09:30'),
	timezone: text('timezone').notNull().default('Europe/Rome'),
	spidEnabled: integer('spid_enabled', { mode: 'boolean' }).notNull().default(false),
	cieEnabled: integer('cie_enabled', { mode: 'boolean' }).notNull().default(false),
	passwordLoginEnabled: integer('password_login_enabled', { mode: 'boolean' }).notNull().default(true),
	/** null: the embedded test provider */
	oidcIssuer: text('oidc_issuer'),
	oidcClientId: text('oidc_client_id'),
	oidcClientSecret: text('oidc_client_secret'),
	/** JSON; filled by the payments issue */
	paymentSettings: text('payment_settings').notNull().default('{}'),
	/** the Comune's own words in the enrolment letter: how to activate, whom to call */
	letterInstructions: text('letter_instructions').notNull().default(''),
	/** the sollecito e-mail, with {placeholders}; empty: the platform's default text */
	reminderTemplate: text('reminder_template').notNull().default(''),
	/** a small PNG or SVG as a data: URL, shown on letters and pages; empty: none */
	logoDataUrl: text('logo_data_url').notNull().default(''),
	createdAt: createdAt()
},
	// pagoPA names the ente by its fiscal code alone: a receipt must find exactly one Comune.
	(t) => [uniqueIndex('tenants_codice_fiscale_ente').on(t.codiceFiscaleEnte)]
);

export const users = sqliteTable(
	'users',
	{
		id: text('id').primaryKey(),
		/** null only for platform administrators */
		tenantId: integer('tenant_id').references(() => tenants.id),
		email: text('email'),
		emailVerifiedAt: integer('email_verified_at', { mode: 'timestamp_ms' }),
		givenName: text('given_name').notNull(),
		familyName: text('family_name').notNull(),
		codiceFiscale: text('codice_fiscale'),
		/** set when SPID/CIE proved the fiscal code; a typed one proves nothing */
		fiscalCodeVerifiedAt: integer('fiscal_code_verified_at', { mode: 'timestamp_ms' }),
		phone: text('phone').notNull().default(''),
		contactEmail: text('contact_email').notNull().default(''),
		notificationPrefs: text('notification_prefs').notNull().default('{}'),
		privacyAcceptedAt: integer('privacy_accepted_at', { mode: 'timestamp_ms' }),
		createdAt: createdAt()
	},
	(t) => [
		uniqueIndex('users_tenant_email').on(t.tenantId, t.email),
		index('users_tenant_cf').on(t.tenantId, t.codiceFiscale)
	]
);

/**
 * A staff member's TOTP authenticator (RFC 6238, 30 s, 6 digits). The key is written at the start
 * of the enrolment and counts only once `enabledAt` is set by a first good code.
 */
export const totpCredentials = sqliteTable('totp_credentials', {
	userId: text('user_id')
		.primaryKey()
		.references(() => users.id, { onDelete: 'cascade' }),
	/** sealed under the server's secrets key (server/auth/sealed.ts); the demo seed writes it raw and the server seals it at start */
	key: blob('key', { mode: 'buffer' }).notNull(),
	enabledAt: integer('enabled_at', { mode: 'timestamp_ms' }),
	/** the last time step accepted: a code is good once, even within its 30 s */
	lastCounter: integer('last_counter').notNull().default(0),
	createdAt: createdAt()
});

/** Single-use codes for a staff member who has lost the authenticator; only their SHA-256 is kept. */
export const recoveryCodes = sqliteTable(
	'recovery_codes',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		codeHash: text('code_hash').notNull(),
		usedAt: integer('used_at', { mode: 'timestamp_ms' }),
		createdAt: createdAt()
	},
	(t) => [index('recovery_codes_user').on(t.userId)]
);

export const passwordCredentials = sqliteTable('password_credentials', {
	userId: text('user_id')
		.primaryKey()
		.references(() => users.id, { onDelete: 'cascade' }),
	hash: text('hash').notNull(),
	updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull()
});

export const oidcIdentities = sqliteTable(
	'oidc_identities',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		issuer: text('issuer').notNull(),
		subject: text('subject').notNull(),
		fiscalCode: text('fiscal_code').notNull(),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('oidc_identities_subject').on(t.tenantId, t.issuer, t.subject)]
);

/** Short-lived state of a SPID/CIE login between the redirect and the callback. */
export const oidcLoginStates = sqliteTable('oidc_login_states', {
	state: text('state').primaryKey(),
	tenantId: integer('tenant_id')
		.notNull()
		.references(() => tenants.id),
	provider: text('provider', { enum: ['spid', 'cie'] }).notNull(),
	codeVerifier: text('code_verifier').notNull(),
	nonce: text('nonce').notNull(),
	expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull()
});

/**
 * A SPID/CIE login that found an account with the same typed fiscal code: held until the user
 * proves that account is theirs (its password), or chooses a separate account.
 */
export const pendingIdentityLinks = sqliteTable('pending_identity_links', {
	/** SHA-256 hex of the token in the browser's cookie */
	id: text('id').primaryKey(),
	tenantId: integer('tenant_id')
		.notNull()
		.references(() => tenants.id),
	userId: text('user_id')
		.notNull()
		.references(() => users.id, { onDelete: 'cascade' }),
	provider: text('provider', { enum: ['spid', 'cie'] }).notNull(),
	/** JSON of the verified identity */
	identity: text('identity').notNull(),
	expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull()
});

export const sessions = sqliteTable(
	'sessions',
	{
		/** SHA-256 of the token, hex: the token itself is never stored */
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
		/** when the staff member behind it gave their second factor; null: the password only */
		secondFactorAt: integer('second_factor_at', { mode: 'timestamp_ms' }),
		createdAt: createdAt()
	},
	(t) => [index('sessions_user').on(t.userId)]
);

export const emailTokens = sqliteTable(
	'email_tokens',
	{
		/** SHA-256 of the token, hex */
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		purpose: text('purpose', { enum: ['verify', 'reset', 'invite'] }).notNull(),
		expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
		usedAt: integer('used_at', { mode: 'timestamp_ms' }),
		createdAt: createdAt()
	},
	(t) => [index('email_tokens_user').on(t.userId, t.purpose)]
);

export const rateLimits = sqliteTable('rate_limits', {
	key: text('key').primaryKey(),
	count: integer('count').notNull(),
	windowEndsAt: integer('window_ends_at', { mode: 'timestamp_ms' }).notNull()
});

export const roles = ['guardian', 'operator', 'school_staff', 'kitchen', 'admin'] as const;
export type Role = (typeof roles)[number];

export const memberships = sqliteTable(
	'memberships',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		/** null only for the platform admin role */
		tenantId: integer('tenant_id').references(() => tenants.id),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		role: text('role', { enum: roles }).notNull(),
		/** school_staff only: the delegated school */
		schoolId: integer('school_id').references(() => schools.id),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('memberships_unique').on(t.userId, t.role, t.schoolId)]
);

export const schools = sqliteTable('schools', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	tenantId: integer('tenant_id')
		.notNull()
		.references(() => tenants.id),
	name: text('name').notNull(),
	level: text('level', { enum: ['infanzia', 'primaria', 'secondaria'] }).notNull(),
	managedBy: text('managed_by', { enum: ['comune', 'scuola'] }).notNull(),
	address: text('address').notNull().default(''),
	archivedAt: integer('archived_at', { mode: 'timestamp_ms' }),
	createdAt: createdAt()
});

export const schoolYears = sqliteTable(
	'school_years',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		/** e.g. "2026/27" */
		label: text('label').notNull(),
		firstDay: text('first_day').notNull(),
		lastDay: text('last_day').notNull(),
		/** reduction of the meal price from the second child of the same applicant on, in percent (0: none) */
		siblingDiscountPct: integer('sibling_discount_pct').notNull().default(0),
		archivedAt: integer('archived_at', { mode: 'timestamp_ms' }),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('school_years_label').on(t.tenantId, t.label)]
);

export const schoolClasses = sqliteTable('school_classes', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	tenantId: integer('tenant_id')
		.notNull()
		.references(() => tenants.id),
	schoolId: integer('school_id')
		.notNull()
		.references(() => schools.id),
	schoolYearId: integer('school_year_id')
		.notNull()
		.references(() => schoolYears.id),
	name: text('name').notNull(),
	archivedAt: integer('archived_at', { mode: 'timestamp_ms' }),
	createdAt: createdAt()
});

export const serviceGroups = sqliteTable('service_groups', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	tenantId: integer('tenant_id')
		.notNull()
		.references(() => tenants.id),
	name: text('name').notNull(),
	createdAt: createdAt()
});

export const services = sqliteTable('services', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	tenantId: integer('tenant_id')
		.notNull()
		.references(() => tenants.id),
	serviceGroupId: integer('service_group_id')
		.notNull()
		.references(() => serviceGroups.id),
	name: text('name').notNull(),
	createdAt: createdAt()
});

export const tariffBands = sqliteTable('tariff_bands', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	tenantId: integer('tenant_id')
		.notNull()
		.references(() => tenants.id),
	schoolYearId: integer('school_year_id')
		.notNull()
		.references(() => schoolYears.id),
	name: text('name').notNull(),
	mealPriceCents: integer('meal_price_cents').notNull(),
	createdAt: createdAt()
});

/**
 * A band's price from a day on. The band's own mealPriceCents holds from the start of the year;
 * a change is a new row from a day not yet closed, so a closed day keeps the price it was closed at.
 */
export const tariffPrices = sqliteTable(
	'tariff_prices',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		tariffBandId: integer('tariff_band_id')
			.notNull()
			.references(() => tariffBands.id),
		validFrom: text('valid_from').notNull(),
		mealPriceCents: integer('meal_price_cents').notNull(),
		createdBy: text('created_by').notNull(),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('tariff_prices_band_day').on(t.tariffBandId, t.validFrom)]
);

export const consumers = sqliteTable(
	'consumers',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		codiceFiscale: text('codice_fiscale').notNull(),
		givenName: text('given_name').notNull(),
		familyName: text('family_name').notNull(),
		birthDate: text('birth_date'),
		/** the current class; null when not placed */
		schoolClassId: integer('school_class_id').references(() => schoolClasses.id),
		/** a label only ("senza glutine"), never a medical document */
		dietLabel: text('diet_label'),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('consumers_tenant_cf').on(t.tenantId, t.codiceFiscale)]
);

export const enrolments = sqliteTable(
	'enrolments',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		consumerId: integer('consumer_id')
			.notNull()
			.references(() => consumers.id),
		serviceId: integer('service_id')
			.notNull()
			.references(() => services.id),
		schoolYearId: integer('school_year_id')
			.notNull()
			.references(() => schoolYears.id),
		tariffBandId: integer('tariff_band_id')
			.notNull()
			.references(() => tariffBands.id),
		/** the guardian who applied: the one authorised for the child */
		applicantFiscalCode: text('applicant_fiscal_code').notNull(),
		applicantName: text('applicant_name').notNull().default(''),
		/** from the enrolment procedure: where letters and solleciti go before the applicant has an account */
		applicantEmail: text('applicant_email').notNull().default(''),
		/** SHA-256 hex of the codice di attivazione handed to the family */
		activationCodeHash: text('activation_code_hash').notNull(),
		status: text('status', { enum: ['attiva', 'sospesa', 'cessata'] }).notNull(),
		fromDate: text('from_date').notNull(),
		toDate: text('to_date'),
		createdAt: createdAt()
	},
	(t) => [
		uniqueIndex('enrolments_activation').on(t.tenantId, t.activationCodeHash),
		index('enrolments_applicant').on(t.tenantId, t.applicantFiscalCode),
		index('enrolments_consumer').on(t.consumerId),
		/**
		 * The day close reads a Comune's active enrolments: with this index it walks them in rowid
		 * order, page after page, instead of hopping the table in fiscal-code order (bench/day-close.ts).
		 */
		index('enrolments_tenant_status').on(t.tenantId, t.status, t.consumerId)
	]
);

/** Links made by a codice di attivazione (or by an operator); SPID/CIE links are implied by the proved fiscal code. */
export const guardianLinks = sqliteTable(
	'guardian_links',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		consumerId: integer('consumer_id')
			.notNull()
			.references(() => consumers.id),
		enrolmentId: integer('enrolment_id')
			.notNull()
			.references(() => enrolments.id),
		linkedBy: text('linked_by', { enum: ['activation_code', 'operator'] }).notNull(),
		createdAt: createdAt()
	},
	// By child: whom to tell about a child's balance, for each account a day close debits.
	(t) => [uniqueIndex('guardian_links_unique').on(t.userId, t.consumerId), index('guardian_links_consumer').on(t.consumerId)]
);

export const auditLog = sqliteTable(
	'audit_log',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id').references(() => tenants.id),
		actorUserId: text('actor_user_id'),
		action: text('action').notNull(),
		entity: text('entity').notNull(),
		entityId: text('entity_id').notNull().default(''),
		details: text('details').notNull().default('{}'),
		ip: text('ip').notNull().default(''),
		at: integer('at', { mode: 'timestamp_ms' }).notNull()
	},
	(t) => [index('audit_tenant_at').on(t.tenantId, t.at)]
);


/** Solleciti: one row per reminder e-mail sent to a guardian about a child's negative saldo. */
export const reminders = sqliteTable(
	'reminders',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		consumerId: integer('consumer_id')
			.notNull()
			.references(() => consumers.id),
		serviceGroupId: integer('service_group_id')
			.notNull()
			.references(() => serviceGroups.id),
		/** null when the applicant has no account yet: the e-mail went to the address of the enrolment */
		guardianUserId: text('guardian_user_id'),
		email: text('email').notNull(),
		balanceCents: integer('balance_cents').notNull(),
		daysInDebt: integer('days_in_debt').notNull(),
		sentBy: text('sent_by').notNull(),
		sentAt: integer('sent_at', { mode: 'timestamp_ms' }).notNull()
	},
	(t) => [index('reminders_tenant_consumer').on(t.tenantId, t.consumerId, t.sentAt)]
);

// ——— Calendar ———

/**
 * A school's service days for a school year. Edits add a version effective from a day not yet
 * closed, so a closed day always keeps the calendar it was closed under.
 */
export const schoolCalendars = sqliteTable(
	'school_calendars',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		schoolId: integer('school_id')
			.notNull()
			.references(() => schools.id),
		schoolYearId: integer('school_year_id')
			.notNull()
			.references(() => schoolYears.id),
		/** ISO weekdays with service, e.g. "1,2,3,4,5" or "1,3,4" */
		weekdays: text('weekdays').notNull(),
		firstDay: text('first_day').notNull(),
		lastDay: text('last_day').notNull(),
		effectiveFrom: text('effective_from').notNull(),
		createdBy: text('created_by'),
		createdAt: createdAt()
	},
	(t) => [index('school_calendars_school').on(t.schoolId, t.schoolYearId, t.effectiveFrom)]
);

/** No service: for the whole Comune (no school), one school, or one class. */
export const closures = sqliteTable(
	'closures',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		schoolId: integer('school_id').references(() => schools.id),
		schoolClassId: integer('school_class_id').references(() => schoolClasses.id),
		fromDate: text('from_date').notNull(),
		toDate: text('to_date').notNull(),
		reason: text('reason').notNull(),
		createdBy: text('created_by'),
		createdAt: createdAt()
	},
	(t) => [index('closures_tenant_dates').on(t.tenantId, t.fromDate)]
);

// ——— Marks ———

/** The current exceptions of a consumer's day; an ordinary booked day has no row. */
export const dayMarks = sqliteTable(
	'day_marks',
	{
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		consumerId: integer('consumer_id')
			.notNull()
			.references(() => consumers.id),
		date: text('date').notNull(),
		assenza: integer('assenza', { mode: 'boolean' }).notNull().default(false),
		pastoInBianco: integer('pasto_in_bianco', { mode: 'boolean' }).notNull().default(false),
		updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.consumerId, t.date] }), index('day_marks_tenant_date').on(t.tenantId, t.date)]
);

/**
 * Every mark ever received, applied or refused: the day's history and the receipt a family
 * can show. A client's mutationId makes a replay answer as the first time did.
 */
export const markEvents = sqliteTable(
	'mark_events',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		consumerId: integer('consumer_id').notNull(),
		date: text('date').notNull(),
		kind: text('kind', { enum: ['assenza', 'pastoInBianco'] }).notNull(),
		value: integer('value', { mode: 'boolean' }).notNull(),
		mutationId: text('mutation_id').notNull(),
		actorUserId: text('actor_user_id').notNull(),
		channel: text('channel', { enum: ['app', 'operatore'] }).notNull(),
		receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
		outcome: text('outcome', { enum: ['applied', 'rejected'] }).notNull(),
		code: text('code'),
		/** operator corrections: the mandatory reason */
		note: text('note'),
		receiptId: text('receipt_id').notNull()
	},
	(t) => [uniqueIndex('mark_events_mutation').on(t.actorUserId, t.mutationId), index('mark_events_day').on(t.consumerId, t.date)]
);

// ——— Day close, meals and the ledger ———

export const dayCloses = sqliteTable(
	'day_closes',
	{
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		date: text('date').notNull(),
		closedAt: integer('closed_at', { mode: 'timestamp_ms' }).notNull(),
		meals: integer('meals').notNull(),
		totalCents: integer('total_cents').notNull()
	},
	(t) => [primaryKey({ columns: [t.tenantId, t.date] })]
);

/**
 * One meal per consumer × service × day, fixed at the day close. A correction cancels a meal
 * (cancelledAt, with its reversing transaction) or adds one; rows are never deleted.
 */
export const meals = sqliteTable(
	'meals',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		date: text('date').notNull(),
		consumerId: integer('consumer_id')
			.notNull()
			.references(() => consumers.id),
		enrolmentId: integer('enrolment_id')
			.notNull()
			.references(() => enrolments.id),
		serviceId: integer('service_id')
			.notNull()
			.references(() => services.id),
		schoolId: integer('school_id').notNull(),
		schoolClassId: integer('school_class_id').notNull(),
		kind: text('kind', { enum: ['normale', 'bianco'] }).notNull(),
		dietLabel: text('diet_label'),
		priceCents: integer('price_cents').notNull(),
		/** the ledger transaction that debited it */
		transactionId: integer('transaction_id'),
		cancelledAt: integer('cancelled_at', { mode: 'timestamp_ms' }),
		cancelTransactionId: integer('cancel_transaction_id')
	},
	(t) => [
		uniqueIndex('meals_one_per_day')
			.on(t.consumerId, t.serviceId, t.date)
			.where(sql`cancelled_at IS NULL`),
		index('meals_tenant_date').on(t.tenantId, t.date, t.schoolId)
	]
);

/**
 * prepaid: a consumer's balance in a service group (may be negative: a child still eats);
 * meal_revenue: the Comune's meal income; pagopa_clearing / lis_clearing: money collected by
 * pagoPA or the LIS network and owed to the Comune; cash: the counter's till (cash and POS);
 * refunds: money paid back to families; migration_equity: opening balances from the previous system.
 */
export const accountKinds = ['prepaid', 'meal_revenue', 'pagopa_clearing', 'lis_clearing', 'cash', 'refunds', 'migration_equity'] as const;
export type AccountKind = (typeof accountKinds)[number];

export const ledgerAccounts = sqliteTable(
	'ledger_accounts',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		kind: text('kind', { enum: accountKinds }).notNull(),
		consumerId: integer('consumer_id').references(() => consumers.id),
		serviceGroupId: integer('service_group_id').references(() => serviceGroups.id),
		/**
		 * The sum of the account's postings, kept by the trigger of migration 0004 on every insert
		 * (postings are never updated or deleted); check-ledger proves it equals the sum.
		 */
		balanceCents: integer('balance_cents').notNull().default(0),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('ledger_accounts_owner').on(t.tenantId, t.kind, t.consumerId, t.serviceGroupId)]
);

export const ledgerTransactions = sqliteTable('ledger_transactions', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	tenantId: integer('tenant_id')
		.notNull()
		.references(() => tenants.id),
	kind: text('kind').notNull(),
	/** the idempotency key: a day close, a correction, later a receipt id */
	externalId: text('external_id').notNull().unique(),
	description: text('description').notNull(),
	createdBy: text('created_by'),
	createdAt: createdAt()
});

/** Debits are negative on a prepaid account: its balance is the sum of its postings. */
export const ledgerPostings = sqliteTable(
	'ledger_postings',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id').notNull(),
		transactionId: integer('transaction_id')
			.notNull()
			.references(() => ledgerTransactions.id),
		accountId: integer('account_id')
			.notNull()
			.references(() => ledgerAccounts.id),
		amountCents: integer('amount_cents').notNull(),
		/** the day the posting concerns (a meal's day) */
		valueDate: text('value_date').notNull(),
		description: text('description').notNull(),
		mealId: integer('meal_id')
	},
	(t) => [
		/**
		 * Covering for the estratto conto: an account's postings lie among everyone else's in the table,
		 * one page apiece; in this index they are adjacent, in statement order, with all it shows.
		 */
		index('ledger_postings_statement').on(t.accountId, t.valueDate, t.id, t.tenantId, t.amountCents, t.description),
		index('ledger_postings_tx').on(t.transactionId)
	]
);

// ——— Payments ———

export const paymentChannels = ['pagopa_online', 'pagopa_avviso', 'lis', 'sportello'] as const;
export type PaymentChannel = (typeof paymentChannels)[number];
/**
 * created: a cart not yet sent anywhere; pending: a debt position waiting for its receipt;
 * paid: credited; expired: due date passed unpaid; cancelled: the guardian gave up in Checkout;
 * flagged: something needs an operator (wrong amount, late or double payment).
 */
export const paymentStatuses = ['created', 'pending', 'paid', 'expired', 'cancelled', 'flagged'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** One top-up, whatever the channel: a pagoPA cart (one debt position), a LIS payment, a counter payment. */
export const payments = sqliteTable(
	'payments',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		channel: text('channel', { enum: paymentChannels }).notNull(),
		status: text('status', { enum: paymentStatuses }).notNull(),
		/** pagoPA only: 18 digits, unique per ente (another ente's IUV may be the same); its IUV is digits 2–18 */
		noticeNumber: text('notice_number'),
		/** the channel's own id: the Checkout idCart, the LIS transaction id, the counter's receipt number */
		externalRef: text('external_ref'),
		amountCents: integer('amount_cents').notNull(),
		description: text('description').notNull(),
		dueDate: text('due_date'),
		payerName: text('payer_name').notNull().default(''),
		payerFiscalCode: text('payer_fiscal_code').notNull().default(''),
		/** the guardian who made the cart, or the operator who took the payment */
		userId: text('user_id'),
		/** why an operator must look at it */
		flag: text('flag'),
		/** the ledger transaction that credited it */
		transactionId: integer('transaction_id'),
		createdAt: createdAt(),
		updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
		paidAt: integer('paid_at', { mode: 'timestamp_ms' })
	},
	(t) => [
		uniqueIndex('payments_channel_ref').on(t.tenantId, t.channel, t.externalRef),
		uniqueIndex('payments_tenant_notice').on(t.tenantId, t.noticeNumber),
		index('payments_tenant_created').on(t.tenantId, t.createdAt),
		index('payments_status_due').on(t.status, t.dueDate)
	]
);

export const paymentItems = sqliteTable(
	'payment_items',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		paymentId: integer('payment_id')
			.notNull()
			.references(() => payments.id),
		consumerId: integer('consumer_id')
			.notNull()
			.references(() => consumers.id),
		serviceGroupId: integer('service_group_id')
			.notNull()
			.references(() => serviceGroups.id),
		amountCents: integer('amount_cents').notNull()
	},
	(t) => [index('payment_items_payment').on(t.paymentId), index('payment_items_consumer').on(t.consumerId)]
);

/** The last notice-number base used per Comune: notice numbers are drawn from it, never reused. */
export const noticeCounters = sqliteTable('notice_counters', {
	tenantId: integer('tenant_id')
		.primaryKey()
		.references(() => tenants.id),
	lastBase: integer('last_base').notNull()
});

export const receiptStatuses = ['credited', 'flagged', 'ko'] as const;

/** Every pagoPA receipt delivered to us, as received: the first delivery of a receiptId is the only one kept. */
export const receipts = sqliteTable(
	'receipts',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		/** null when the ente's fiscal code is none of ours */
		tenantId: integer('tenant_id').references(() => tenants.id),
		receiptId: text('receipt_id').notNull().unique(),
		noticeNumber: text('notice_number').notNull(),
		fiscalCode: text('fiscal_code').notNull(),
		creditorReferenceId: text('creditor_reference_id').notNull(),
		amountCents: integer('amount_cents').notNull(),
		outcome: text('outcome').notNull(),
		paymentDateTime: text('payment_date_time').notNull(),
		paymentId: integer('payment_id').references(() => payments.id),
		status: text('status', { enum: receiptStatuses }).notNull(),
		flag: text('flag'),
		/** later deliveries of the same receiptId, counted, never applied */
		redeliveries: integer('redeliveries').notNull().default(0),
		payload: text('payload').notNull(),
		receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull()
	},
	(t) => [index('receipts_notice').on(t.noticeNumber), index('receipts_tenant_received').on(t.tenantId, t.receivedAt)]
);

/** The Punto LIS code of one consumer × service group: random, stable, and the only thing the QR carries. */
export const lisCodes = sqliteTable(
	'lis_codes',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		consumerId: integer('consumer_id')
			.notNull()
			.references(() => consumers.id),
		serviceGroupId: integer('service_group_id')
			.notNull()
			.references(() => serviceGroups.id),
		code: text('code').notNull().unique(),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('lis_codes_account').on(t.tenantId, t.consumerId, t.serviceGroupId)]
);

/** Opening-balance files applied (Gestione saldi); each line's transaction is keyed by file hash + line. */
export const balanceMigrations = sqliteTable(
	'balance_migrations',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id')
			.notNull()
			.references(() => tenants.id),
		fileHash: text('file_hash').notNull(),
		fileName: text('file_name').notNull(),
		lines: integer('lines').notNull(),
		totalCents: integer('total_cents').notNull(),
		appliedBy: text('applied_by').notNull(),
		appliedAt: integer('applied_at', { mode: 'timestamp_ms' }).notNull()
	},
	(t) => [uniqueIndex('balance_migrations_file').on(t.tenantId, t.fileHash)]
);

/** The last balance level a guardian was told about, per account: an alert goes out once per crossing. */
export const balanceAlerts = sqliteTable(
	'balance_alerts',
	{
		accountId: integer('account_id')
			.notNull()
			.references(() => ledgerAccounts.id),
		userId: text('user_id').notNull(),
		level: text('level', { enum: ['ok', 'low', 'negative'] }).notNull(),
		changedAt: integer('changed_at', { mode: 'timestamp_ms' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.accountId, t.userId] })]
);

// ——— pagoPA simulator (server/payments/pagopa/simulator/) ———
// What pagoPA itself would hold when a Comune runs on the embedded simulator: debt positions,
// Checkout carts and the receipts it still has to deliver. The app's own code never reads these.

/** A GPD debt position as received (`body`, JSON), keyed like GPD: the ente's fiscal code and the iupd. */
export const simDebtPositions = sqliteTable(
	'sim_debt_positions',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		organizationFiscalCode: text('organization_fiscal_code').notNull(),
		iupd: text('iupd').notNull(),
		status: text('status', { enum: ['DRAFT', 'VALID'] }).notNull(),
		body: text('body').notNull(),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('sim_debt_positions_iupd').on(t.organizationFiscalCode, t.iupd)]
);

/** One payment option of a debt position: what a PSP or Checkout pays, by ente and IUV. */
export const simPaymentOptions = sqliteTable(
	'sim_payment_options',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		positionId: integer('position_id')
			.notNull()
			.references(() => simDebtPositions.id),
		organizationFiscalCode: text('organization_fiscal_code').notNull(),
		iuv: text('iuv').notNull(),
		amountCents: integer('amount_cents').notNull(),
		description: text('description').notNull(),
		companyName: text('company_name').notNull(),
		debtorName: text('debtor_name').notNull(),
		dueDate: text('due_date').notNull(),
		/** the receipt issued when it was paid: pagoPA refuses to take the same notice twice */
		paidReceiptId: text('paid_receipt_id')
	},
	(t) => [uniqueIndex('sim_payment_options_iuv').on(t.organizationFiscalCode, t.iuv)]
);

/** A Checkout cart: the request as received and what the payer did with it. */
export const simCarts = sqliteTable('sim_carts', {
	id: text('id').primaryKey(),
	body: text('body').notNull(),
	status: text('status', { enum: ['open', 'paid', 'cancelled', 'failed'] }).notNull(),
	createdAt: createdAt()
});

/**
 * Receipts to deliver to the ente's receiver, retried with backoff until it answers 200. Each
 * receipt is queued twice (copy 1 and 2), as pagoPA sometimes sends one twice: the receiver
 * must prove its idempotency on every payment, not once in a while.
 */
export const simReceiptOutbox = sqliteTable(
	'sim_receipt_outbox',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		receiptId: text('receipt_id').notNull(),
		copy: integer('copy').notNull(),
		organizationFiscalCode: text('organization_fiscal_code').notNull(),
		payload: text('payload').notNull(),
		attempts: integer('attempts').notNull().default(0),
		nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
		deliveredAt: integer('delivered_at', { mode: 'timestamp_ms' }),
		lastError: text('last_error'),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('sim_receipt_outbox_copy').on(t.receiptId, t.copy), index('sim_receipt_outbox_due').on(t.deliveredAt, t.nextAttemptAt)]
);

/**
 * E-mails that tell a family about a change (a low balance, a credit, a sollecito), written in the
 * change's own transaction and sent afterwards by the outbox (server/mail/outbox.ts), a few at a
 * time: a day close that alerts 2,000 families must not open 2,000 SMTP connections at once, and a
 * crash after the commit must not lose the e-mail. One-time links (sign-up, password reset) are
 * never written here: they are sent at once and their text is kept nowhere.
 */
export const mailOutbox = sqliteTable(
	'mail_outbox',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		tenantId: integer('tenant_id').references(() => tenants.id),
		kind: text('kind', { enum: ['saldo_basso', 'ricarica', 'sollecito', 'ricevuta'] }).notNull(),
		recipient: text('recipient').notNull(),
		subject: text('subject').notNull(),
		body: text('body').notNull(),
		createdAt: createdAt(),
		attempts: integer('attempts').notNull().default(0),
		nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
		sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
		/** set when the outbox gives up after its last attempt; the operator sees it in the log */
		failedAt: integer('failed_at', { mode: 'timestamp_ms' }),
		lastError: text('last_error')
	},
	(t) => [
		index('mail_outbox_due')
			.on(t.nextAttemptAt)
			.where(sql`sent_at IS NULL AND failed_at IS NULL`),
		index('mail_outbox_done').on(t.sentAt)
	]
);
