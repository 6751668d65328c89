import type { Db } from '../db/client.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { BOM, csvRow, type CellValue } from '../csv/write-csv.js';
import type { ExportTable } from './tables.js';

export const EXPORT_PAGE = 2_000;

/**
 * The table as a stream of CSV, one page of rows per chunk, read only when the client takes the
 * last one: a year of postings for 2,000 pupils never sits in memory whole. Pages are keyed by
 * id, not held open as a cursor, so other requests use the connection between two pages.
 */
export function exportStream(db: Db, scope: TenantScope, table: ExportTable, pageSize = EXPORT_PAGE): ReadableStream<Uint8Array> {
	const statement = db.$client.prepare(table.sql).raw();
	const types = table.columns.map((c) => c.type);
	const encoder = new TextEncoder();
	let after = 0;
	let header = BOM + table.columns.map((c) => c.name).join(';') + '\r\n';
	return new ReadableStream<Uint8Array>(
		{
			pull(controller) {
				const rows = statement.all(scope.tenantId, after, pageSize) as CellValue[][];
				let text = header;
				header = '';
				for (const r of rows) text += csvRow(types, r);
				if (rows.length) after = Number(rows.at(-1)![0]);
				if (text) controller.enqueue(encoder.encode(text));
				if (rows.length < pageSize) controller.close();
			}
		},
		{ highWaterMark: 0 }
	);
}
