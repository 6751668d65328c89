import { createHash } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { balanceMigrations, consumers, serviceGroups } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { recordAudit } from '../audit/log.js';
import { zonedDate } from '../calendar/zoned-time.js';
import { prepaidAccount, systemAccount } from '../ledger/accounts.js';
import { postTransaction } from '../ledger/post.js';
import { isValidCodiceFiscale, normalizeCodiceFiscale } from '../../src/lib/shared/codice-fiscale.js';
import { foldForSearch } from '../../src/lib/shared/text.js';
import { parseSignedEuro, readMigrationCsv } from './office/migration-csv.js';
import type { OfficeActor } from './office/counter-topup.js';

/*
 * Gestione saldi: opening balances from the previous system. A dry run says, line by line, what
 * would happen; applying is all-or-nothing and keyed by the file's SHA-256, so the same file
 * applied twice moves money once, and an account takes one opening balance whatever the file.
 */

export interface MigrationLine {
	line: number;
	codiceFiscale: string;
	group: string;
	amountText: string;
	amountCents: number | null;
	/** matched: would be applied; unmatched: consumer or group not in this Comune; invalid: malformed */
	status: 'matched' | 'unmatched' | 'invalid';
	reason: string | null;
	consumerId: number | null;
	consumerName: string | null;
	serviceGroupId: number | null;
}

export interface MigrationReport {
	fileName: string;
	fileHash: string;
	header: boolean;
	separator: ';' | ',';
	lines: MigrationLine[];
	counts: { matched: number; unmatched: number; invalid: number };
	/** the sum of the matched lines */
	totalCents: number;
	/** set when this very file was applied before */
	appliedAt: Date | null;
}

export type MigrationPlan = { status: 'planned'; report: MigrationReport } | { status: 'rejected'; message: string };

export type MigrationResult =
	| { status: 'applied'; report: MigrationReport; transactions: number }
	| { status: 'already_applied'; report: MigrationReport; appliedAt: Date }
	/** some lines are unmatched or invalid: nothing was applied */
	| { status: 'not_clean'; report: MigrationReport }
	| { status: 'rejected'; message: string };

const CHUNK = 500;

/** The Comune's consumers among these fiscal codes, in chunks under SQLite's parameter limit. */
function consumersByCf(db: Pick<Db, 'select'>, scope: TenantScope, cfs: string[]) {
	const found = new Map<string, { id: number; name: string }>();
	for (let i = 0; i < cfs.length; i += CHUNK) {
		const rows = db
			.select({ id: consumers.id, cf: consumers.codiceFiscale, givenName: consumers.givenName, familyName: consumers.familyName })
			.from(consumers)
			.where(scope.where(consumers, inArray(consumers.codiceFiscale, cfs.slice(i, i + CHUNK))))
			.all();
		for (const r of rows) found.set(r.cf, { id: r.id, name: `${r.givenName} ${r.familyName}` });
	}
	return found;
}

/** An opening balance beyond this is a typo (or cents read as euros), not a child's meals. */
const MAX_OPENING_CENTS = 10_000_000;

/** The accounts that already hold an opening balance: a second file (or the same one saved again) must not add another. */
function migratedAccounts(db: Db, scope: TenantScope): Set<string> {
	const rows = db.$client
		.prepare(
			`SELECT DISTINCT a.consumer_id AS consumer, a.service_group_id AS grp FROM ledger_transactions t
			 JOIN ledger_postings p ON p.transaction_id = t.id JOIN ledger_accounts a ON a.id = p.account_id
			 WHERE t.tenant_id = ? AND t.kind = 'migration' AND a.kind = 'prepaid'`
		)
		.all(scope.tenantId) as { consumer: number; grp: number }[];
	return new Set(rows.map((r) => `${r.consumer}|${r.grp}`));
}

export function planMigration(db: Db, scope: TenantScope, fileName: string, bytes: Uint8Array): MigrationPlan {
	const file = readMigrationCsv(bytes);
	if (file.status === 'rejected') return file;
	const fileHash = createHash('sha256').update(bytes).digest('hex');
	const groups = new Map(db.select().from(serviceGroups).where(scope.where(serviceGroups)).all().map((g) => [foldForSearch(g.name), g]));
	const cfs = [...new Set(file.lines.map((l) => normalizeCodiceFiscale(l.fields[0] ?? '')))];
	const people = consumersByCf(db, scope, cfs);
	const seen = new Map<string, number>();
	const migrated = migratedAccounts(db, scope);

	const lines = file.lines.map(({ line, fields }): MigrationLine => {
		const [cfText = '', group = '', amountText = ''] = fields;
		const codiceFiscale = normalizeCodiceFiscale(cfText);
		const amountCents = parseSignedEuro(amountText);
		const base = { line, codiceFiscale, group, amountText, amountCents, consumerId: null, consumerName: null, serviceGroupId: null };
		const invalid = (reason: string) => ({ ...base, status: 'invalid' as const, reason });
		if (fields.length !== 3) return invalid(`servono 3 colonne (codice fiscale, gruppo di servizi, saldo), trovate ${fields.length}`);
		if (!isValidCodiceFiscale(codiceFiscale)) return invalid('codice fiscale non valido');
		if (amountCents === null) return invalid(`saldo non valido: «${amountText}» (es. 12,50 oppure -3,20)`);
		if (Math.abs(amountCents) > MAX_OPENING_CENTS) return invalid(`saldo fuori misura: «${amountText}» (al massimo 100.000,00 € in più o in meno)`);
		const key = `${codiceFiscale}|${foldForSearch(group)}`;
		const first = seen.get(key);
		if (first !== undefined) return invalid(`riga duplicata: lo stesso conto è già alla riga ${first}`);
		seen.set(key, line);
		const consumer = people.get(codiceFiscale);
		const serviceGroup = groups.get(foldForSearch(group));
		if (!consumer) return { ...base, status: 'unmatched', reason: 'consumatore non trovato in questo Comune' };
		if (!serviceGroup) return { ...base, consumerId: consumer.id, consumerName: consumer.name, status: 'unmatched', reason: `gruppo di servizi «${group}» non trovato` };
		const named = { ...base, consumerId: consumer.id, consumerName: consumer.name, serviceGroupId: serviceGroup.id };
		if (migrated.has(`${consumer.id}|${serviceGroup.id}`)) return { ...named, status: 'unmatched', reason: 'saldo iniziale già importato per questo conto (da un altro file o da questo file salvato di nuovo)' };
		return { ...named, status: 'matched', reason: null };
	});
	const applied = db.select({ at: balanceMigrations.appliedAt }).from(balanceMigrations).where(scope.where(balanceMigrations, eq(balanceMigrations.fileHash, fileHash))).get();
	const count = (s: MigrationLine['status']) => lines.filter((l) => l.status === s).length;
	return {
		status: 'planned',
		report: {
			fileName,
			fileHash,
			header: file.header,
			separator: file.separator,
			lines,
			counts: { matched: count('matched'), unmatched: count('unmatched'), invalid: count('invalid') },
			totalCents: lines.reduce((s, l) => s + (l.status === 'matched' ? l.amountCents! : 0), 0),
			appliedAt: applied?.at ?? null
		}
	};
}

/** One ledger transaction per line against migration equity, only when every line matched. */
export function applyMigration(db: Db, clock: Clock, scope: TenantScope, timeZone: string, actor: OfficeActor, fileName: string, bytes: Uint8Array): MigrationResult {
	return db.transaction((tx) => {
		const plan = planMigration(db, scope, fileName, bytes);
		if (plan.status === 'rejected') return plan;
		const { report } = plan;
		if (report.appliedAt) return { status: 'already_applied', report, appliedAt: report.appliedAt } as const;
		if (report.counts.unmatched || report.counts.invalid || !report.counts.matched) return { status: 'not_clean', report } as const;
		const at = clock.now();
		const valueDate = zonedDate(at, timeZone);
		tx.insert(balanceMigrations)
			.values({ tenantId: scope.tenantId, fileHash: report.fileHash, fileName, lines: report.counts.matched, totalCents: report.totalCents, appliedBy: actor.userId, appliedAt: at })
			.run();
		const equity = systemAccount(db, scope.tenantId, 'migration_equity', at);
		let transactions = 0;
		for (const l of report.lines) {
			// A zero balance opens nothing: there is no movement to record.
			if (!l.amountCents) continue;
			const description = 'Saldo iniziale dal sistema precedente';
			postTransaction(db, {
				tenantId: scope.tenantId,
				kind: 'migration',
				externalId: `migration:${scope.tenantId}:${report.fileHash}:${l.line}`,
				description,
				createdBy: actor.userId,
				at,
				postings: [
					{ accountId: prepaidAccount(db, scope.tenantId, l.consumerId!, l.serviceGroupId!, at), amountCents: l.amountCents, valueDate, description },
					{ accountId: equity, amountCents: -l.amountCents, valueDate, description: `${description} (${l.consumerName})` }
				]
			});
			transactions++;
		}
		recordAudit(tx, clock, {
			tenantId: scope.tenantId,
			actorUserId: actor.userId,
			action: 'payments.balance_migration',
			entity: 'balance_migration',
			entityId: report.fileHash,
			details: { fileName, lines: report.counts.matched, totalCents: report.totalCents, transactions },
			ip: actor.ip
		});
		return { status: 'applied', report, transactions } as const;
	});
}
