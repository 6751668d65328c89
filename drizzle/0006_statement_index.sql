DROP INDEX `ledger_postings_account`;--> statement-breakpoint
CREATE INDEX `ledger_postings_statement` ON `ledger_postings` (`account_id`,`value_date`,`id`,`tenant_id`,`amount_cents`,`description`);