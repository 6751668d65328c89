CREATE TABLE `balance_alerts` (
	`account_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`level` text NOT NULL,
	`changed_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `user_id`),
	FOREIGN KEY (`account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `balance_migrations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`file_hash` text NOT NULL,
	`file_name` text NOT NULL,
	`lines` integer NOT NULL,
	`total_cents` integer NOT NULL,
	`applied_by` text NOT NULL,
	`applied_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `balance_migrations_file` ON `balance_migrations` (`tenant_id`,`file_hash`);--> statement-breakpoint
CREATE TABLE `lis_codes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`consumer_id` integer NOT NULL,
	`service_group_id` integer NOT NULL,
	`code` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`service_group_id`) REFERENCES `service_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lis_codes_code_unique` ON `lis_codes` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `lis_codes_account` ON `lis_codes` (`tenant_id`,`consumer_id`,`service_group_id`);--> statement-breakpoint
CREATE TABLE `notice_counters` (
	`tenant_id` integer PRIMARY KEY NOT NULL,
	`last_base` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `payment_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`payment_id` integer NOT NULL,
	`consumer_id` integer NOT NULL,
	`service_group_id` integer NOT NULL,
	`amount_cents` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`service_group_id`) REFERENCES `service_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `payment_items_payment` ON `payment_items` (`payment_id`);--> statement-breakpoint
CREATE INDEX `payment_items_consumer` ON `payment_items` (`consumer_id`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`channel` text NOT NULL,
	`status` text NOT NULL,
	`notice_number` text,
	`external_ref` text,
	`amount_cents` integer NOT NULL,
	`description` text NOT NULL,
	`due_date` text,
	`payer_name` text DEFAULT '' NOT NULL,
	`payer_fiscal_code` text DEFAULT '' NOT NULL,
	`user_id` text,
	`flag` text,
	`transaction_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`paid_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payments_notice_number_unique` ON `payments` (`notice_number`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_channel_ref` ON `payments` (`tenant_id`,`channel`,`external_ref`);--> statement-breakpoint
CREATE INDEX `payments_tenant_created` ON `payments` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payments_status_due` ON `payments` (`status`,`due_date`);--> statement-breakpoint
CREATE TABLE `receipts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer,
	`receipt_id` text NOT NULL,
	`notice_number` text NOT NULL,
	`fiscal_code` text NOT NULL,
	`creditor_reference_id` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`outcome` text NOT NULL,
	`payment_date_time` text NOT NULL,
	`payment_id` integer,
	`status` text NOT NULL,
	`flag` text,
	`redeliveries` integer DEFAULT 0 NOT NULL,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `receipts_receipt_id_unique` ON `receipts` (`receipt_id`);--> statement-breakpoint
CREATE INDEX `receipts_notice` ON `receipts` (`notice_number`);--> statement-breakpoint
CREATE INDEX `receipts_tenant_received` ON `receipts` (`tenant_id`,`received_at`);--> statement-breakpoint
ALTER TABLE `ledger_accounts` ADD `balance_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- The cached balance follows every posting; postings are append-only, so an insert is the only change.
UPDATE `ledger_accounts` SET `balance_cents` = coalesce((SELECT sum(`amount_cents`) FROM `ledger_postings` p WHERE p.`account_id` = `ledger_accounts`.`id`), 0);--> statement-breakpoint
CREATE TRIGGER `ledger_postings_balance` AFTER INSERT ON `ledger_postings` BEGIN
	UPDATE `ledger_accounts` SET `balance_cents` = `balance_cents` + NEW.`amount_cents` WHERE `id` = NEW.`account_id`;
END;--> statement-breakpoint
CREATE TRIGGER `ledger_postings_no_update` BEFORE UPDATE ON `ledger_postings` BEGIN
	SELECT RAISE(ABORT, 'ledger_postings is append-only');
END;--> statement-breakpoint
CREATE TRIGGER `ledger_postings_no_delete` BEFORE DELETE ON `ledger_postings` BEGIN
	SELECT RAISE(ABORT, 'ledger_postings is append-only');
END;--> statement-breakpoint
CREATE TRIGGER `ledger_transactions_no_update` BEFORE UPDATE ON `ledger_transactions` BEGIN
	SELECT RAISE(ABORT, 'ledger_transactions is append-only');
END;--> statement-breakpoint
CREATE TRIGGER `ledger_transactions_no_delete` BEFORE DELETE ON `ledger_transactions` BEGIN
	SELECT RAISE(ABORT, 'ledger_transactions is append-only');
END;
