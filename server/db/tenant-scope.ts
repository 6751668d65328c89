import { and, eq, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';

type TenantTable = SQLiteTable & { tenantId: SQLiteColumn };

/**
 * The only way domain code names a tenant's rows: every condition built here starts with
 * `tenantId = ?`, so a query cannot forget it and read another Comune's data.
 */
export interface TenantScope {
	readonly tenantId: number;
	where(table: TenantTable, ...conditions: (SQL | undefined)[]): SQL;
}

export function tenantScope(tenantId: number): TenantScope {
	return {
		tenantId,
		where: (table, ...conditions) => and(eq(table.tenantId, tenantId), ...conditions)!
	};
}
