import { and, asc, count, desc, eq, like, ne, sql } from 'drizzle-orm';
import type { CreateTenantInput, TenantListInput, UpdateTenantInput } from '../../src/lib/shared/setup-schemas.js';
import { foldForSearch } from '../../src/lib/shared/text.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { memberships, passwordCredentials, schools, tenants, users } from '../db/schema.js';
import { recordAudit } from '../audit/log.js';
import { invalid, notFound, saved, type SetupResult } from '../schools/outcome.js';
import { inviteStaff, type Actor } from '../users/invitations.js';
import type { User } from '../auth/accounts.js';
import { checkLogo } from './logo.js';
import { invalidateUserSessions } from '../auth/session.js';
import { resetSecondFactor } from '../auth/second-factor.js';
import { changedSettings, columnsOf, settingsFormOf } from './settings-form.js';
import { findTenantById, type Tenant } from './tenants.js';
import type { Sealer } from '../auth/sealed.js';

/* The platform admin's side of a Comune: list, create, edit, logo. Tenants are the platform's own rows. */

const PAGE_SIZE = 25;

export function listTenants(db: Db, input: TenantListInput) {
	const folded = foldForSearch(input.q);
	const where = folded ? like(tenants.searchName, sql`${`%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`) : undefined;
	const total = db.select({ n: count() }).from(tenants).where(where).get()!.n;
	const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
	const page = Math.min(input.page, pages);
	const column = { name: tenants.searchName, slug: tenants.slug, createdAt: tenants.createdAt }[input.sort];
	const rows = db
		.select({ id: tenants.id, slug: tenants.slug, name: tenants.name, province: tenants.province, codiceFiscaleEnte: tenants.codiceFiscaleEnte, createdAt: tenants.createdAt })
		.from(tenants)
		.where(where)
		.orderBy(input.dir === 'asc' ? asc(column) : desc(column), asc(tenants.id))
		.limit(PAGE_SIZE)
		.offset((page - 1) * PAGE_SIZE)
		.all();
	return { rows, total, page, pages };
}

/** The Comune's staff as the admin sees it: who has accepted, who is still invited. */
export function staffOf(db: Db, tenantId: number) {
	return db
		.select({
			userId: users.id,
			givenName: users.givenName,
			familyName: users.familyName,
			email: users.email,
			role: memberships.role,
			schoolId: memberships.schoolId,
			schoolName: schools.name,
			active: sql<number>`${passwordCredentials.userId} IS NOT NULL`.mapWith(Boolean),
			sessions: sql<number>`(SELECT count(*) FROM sessions s WHERE s.user_id = ${users.id})`.mapWith(Number),
			secondFactor: sql<number>`EXISTS (SELECT 1 FROM totp_credentials c WHERE c.user_id = ${users.id} AND c.enabled_at IS NOT NULL)`.mapWith(Boolean)
		})
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.leftJoin(passwordCredentials, eq(passwordCredentials.userId, users.id))
		.leftJoin(schools, eq(schools.id, memberships.schoolId))
		.where(and(eq(memberships.tenantId, tenantId), eq(users.tenantId, tenantId), ne(memberships.role, 'guardian')))
		.orderBy(memberships.role, users.familyName, users.givenName)
		.all();
}

export function tenantForAdmin(db: Db, secrets: Sealer, tenantId: number) {
	const t = findTenantById(db, tenantId);
	if (!t) return null;
	return { id: t.id, slug: t.slug, name: t.name, logoDataUrl: t.logoDataUrl, ...settingsFormOf(t, secrets), staff: staffOf(db, t.id) };
}

function uniquenessErrors(db: Db, input: { slug?: string; codiceFiscaleEnte: string }, exceptId: number | null): Record<string, string> {
	const others = (condition: ReturnType<typeof eq>) => db.select({ id: tenants.id }).from(tenants).where(exceptId === null ? condition : and(condition, ne(tenants.id, exceptId))).get();
	const errors: Record<string, string> = {};
	if (input.slug !== undefined && others(eq(tenants.slug, input.slug))) errors.slug = 'Indirizzo: già usato da un altro Comune';
	// pagoPA finds the ente of a receipt by this code alone (tenants_codice_fiscale_ente).
	if (others(eq(tenants.codiceFiscaleEnte, input.codiceFiscaleEnte))) errors.codiceFiscaleEnte = 'Codice fiscale dell’ente: già registrato per un altro Comune';
	return errors;
}

export function createTenant(db: Db, clock: Clock, secrets: Sealer, actor: Actor, input: CreateTenantInput): SetupResult<Tenant> {
	return db.transaction(() => {
		const form = columnsOf(input, null, input.slug, secrets);
		const errors = { ...uniquenessErrors(db, input, null), ...('fieldErrors' in form ? form.fieldErrors : {}) };
		if (Object.keys(errors).length || !('columns' in form)) return invalid(errors);
		const tenant = db.insert(tenants).values({ slug: input.slug, ...form.columns, createdAt: clock.now() }).returning().get();
		recordAudit(db, clock, { tenantId: tenant.id, actorUserId: actor.userId, action: 'tenant.create', entity: 'tenant', entityId: tenant.id, details: { slug: tenant.slug, name: tenant.name }, ip: actor.ip });
		return saved(tenant);
	});
}

export function updateTenant(db: Db, clock: Clock, secrets: Sealer, actor: Actor, input: UpdateTenantInput): SetupResult<Tenant> {
	return db.transaction(() => {
		const before = findTenantById(db, input.tenantId);
		if (!before) return notFound('Comune non trovato.');
		const form = columnsOf(input, before, before.slug, secrets);
		const errors = { ...uniquenessErrors(db, input, before.id), ...('fieldErrors' in form ? form.fieldErrors : {}) };
		if (Object.keys(errors).length || !('columns' in form)) return invalid(errors);
		const after = db.update(tenants).set(form.columns).where(eq(tenants.id, before.id)).returning().get();
		recordAudit(db, clock, { tenantId: before.id, actorUserId: actor.userId, action: 'tenant.update', entity: 'tenant', entityId: before.id, details: { changed: changedSettings(before, form.columns) }, ip: actor.ip });
		return saved(after);
	});
}

/** '' removes the logo. */
export function setTenantLogo(db: Db, clock: Clock, actor: Actor, tenantId: number, dataUrl: string): SetupResult<null> {
	if (!findTenantById(db, tenantId)) return notFound('Comune non trovato.');
	let logo = '';
	if (dataUrl) {
		const checked = checkLogo(dataUrl);
		if (checked.status === 'rejected') return invalid({ logo: checked.message });
		logo = checked.dataUrl;
	}
	db.transaction(() => {
		db.update(tenants).set({ logoDataUrl: logo }).where(eq(tenants.id, tenantId)).run();
		recordAudit(db, clock, { tenantId, actorUserId: actor.userId, action: logo ? 'tenant.logo_set' : 'tenant.logo_remove', entity: 'tenant', entityId: tenantId, details: { bytes: logo ? Buffer.from(logo.slice(logo.indexOf(',') + 1), 'base64').length : 0 }, ip: actor.ip });
	});
	return saved(null);
}

/**
 * For a device lost or a person gone: end every session of one of the Comune's staff, or also
 * remove their authenticator so the next sign-in enrols a new one (sessions end with it).
 */
export function secureStaffAccount(db: Db, clock: Clock, actor: Actor, input: { tenantId: number; userId: string; action: 'end_sessions' | 'reset_second_factor' }): SetupResult<string> {
	const member = staffOf(db, input.tenantId).find((s) => s.userId === input.userId);
	if (!member) return notFound('Persona non trovata tra il personale di questo Comune.');
	db.transaction(() => {
		if (input.action === 'reset_second_factor') resetSecondFactor(db, input.userId);
		else invalidateUserSessions(db, input.userId);
		recordAudit(db, clock, {
			tenantId: input.tenantId,
			actorUserId: actor.userId,
			action: input.action === 'reset_second_factor' ? 'user.second_factor_reset' : 'user.sessions_end',
			entity: 'user',
			entityId: input.userId,
			details: { email: member.email, sessions: member.sessions },
			ip: actor.ip
		});
	});
	return saved(input.userId);
}

export function inviteOperator(db: Db, clock: Clock, actor: Actor, input: { tenantId: number; givenName: string; familyName: string; email: string }): SetupResult<{ tenant: Tenant; user: User; token: string }> {
	const tenant = findTenantById(db, input.tenantId);
	if (!tenant) return notFound('Comune non trovato.');
	const invited = inviteStaff(db, clock, actor, { ...input, role: 'operator', schoolId: null });
	return invited.status === 'rejected' ? invalid({ email: invited.message }) : saved({ tenant, user: invited.user, token: invited.token });
}
