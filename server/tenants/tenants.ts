import { eq, like, sql } from 'drizzle-orm';
import { foldForSearch } from '../../src/lib/shared/text.js';
import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import { tenants } from '../db/schema.js';

export type Tenant = typeof tenants.$inferSelect;

export const MIN_SEARCH_LENGTH = 3;

export interface TenantSummary {
	slug: string;
	name: string;
	province: string;
}

/** The picker: at least 3 letters, case and accents ignored, names starting with the text first. */
export function searchTenants(db: Db, query: string, limit = 10): TenantSummary[] {
	const folded = foldForSearch(query);
	if (folded.length < MIN_SEARCH_LENGTH) return [];
	const pattern = `%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
	return db
		.select({ slug: tenants.slug, name: tenants.name, province: tenants.province })
		.from(tenants)
		.where(like(tenants.searchName, sql`${pattern} ESCAPE '\\'`))
		.orderBy(sql`instr(${tenants.searchName}, ${folded})`, tenants.searchName)
		.limit(limit)
		.all();
}

export function findTenantBySlug(db: Db, slug: string): Tenant | undefined {
	return db.select().from(tenants).where(eq(tenants.slug, slug)).get();
}

const tenantById = preparedFor((db) => db.select().from(tenants).where(eq(tenants.id, sql.placeholder('id'))).prepare());

export function findTenantById(db: Db, id: number): Tenant | undefined {
	return tenantById(db).get({ id });
}

/** What a login page may show to anyone: never secrets or payment settings. */
export function publicTenantInfo(t: Tenant) {
	return {
		slug: t.slug,
		name: t.name,
		province: t.province,
		contactOffice: t.contactOffice,
		contactName: t.contactName,
		contactPhone: t.contactPhone,
		contactEmail: t.contactEmail,
		cutoffTime: t.cutoffTime,
		spidEnabled: t.spidEnabled,
		cieEnabled: t.cieEnabled,
		passwordLoginEnabled: t.passwordLoginEnabled,
		testIdentityProvider: t.oidcIssuer === null
	};
}
export type PublicTenantInfo = ReturnType<typeof publicTenantInfo>;
