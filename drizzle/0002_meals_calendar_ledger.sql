CREATE TABLE `closures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`school_id` integer,
	`school_class_id` integer,
	`from_date` text NOT NULL,
	`to_date` text NOT NULL,
	`reason` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`school_id`) REFERENCES `schools`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`school_class_id`) REFERENCES `school_classes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `closures_tenant_dates` ON `closures` (`tenant_id`,`from_date`);--> statement-breakpoint
CREATE TABLE `day_closes` (
	`tenant_id` integer NOT NULL,
	`date` text NOT NULL,
	`closed_at` integer NOT NULL,
	`meals` integer NOT NULL,
	`total_cents` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `date`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `day_marks` (
	`tenant_id` integer NOT NULL,
	`consumer_id` integer NOT NULL,
	`date` text NOT NULL,
	`assenza` integer DEFAULT false NOT NULL,
	`pasto_in_bianco` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`consumer_id`, `date`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `day_marks_tenant_date` ON `day_marks` (`tenant_id`,`date`);--> statement-breakpoint
CREATE TABLE `ledger_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`kind` text NOT NULL,
	`consumer_id` integer,
	`service_group_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`service_group_id`) REFERENCES `service_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_accounts_owner` ON `ledger_accounts` (`tenant_id`,`kind`,`consumer_id`,`service_group_id`);--> statement-breakpoint
CREATE TABLE `ledger_postings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`transaction_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`amount_cents` integer NOT NULL,
	`value_date` text NOT NULL,
	`description` text NOT NULL,
	`meal_id` integer,
	FOREIGN KEY (`transaction_id`) REFERENCES `ledger_transactions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ledger_postings_account` ON `ledger_postings` (`account_id`,`value_date`);--> statement-breakpoint
CREATE INDEX `ledger_postings_tx` ON `ledger_postings` (`transaction_id`);--> statement-breakpoint
CREATE TABLE `ledger_transactions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`kind` text NOT NULL,
	`external_id` text NOT NULL,
	`description` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_transactions_external_id_unique` ON `ledger_transactions` (`external_id`);--> statement-breakpoint
CREATE TABLE `mark_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`consumer_id` integer NOT NULL,
	`date` text NOT NULL,
	`kind` text NOT NULL,
	`value` integer NOT NULL,
	`mutation_id` text NOT NULL,
	`actor_user_id` text NOT NULL,
	`channel` text NOT NULL,
	`received_at` integer NOT NULL,
	`outcome` text NOT NULL,
	`code` text,
	`note` text,
	`receipt_id` text NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mark_events_mutation` ON `mark_events` (`actor_user_id`,`mutation_id`);--> statement-breakpoint
CREATE INDEX `mark_events_day` ON `mark_events` (`consumer_id`,`date`);--> statement-breakpoint
CREATE TABLE `meals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`date` text NOT NULL,
	`consumer_id` integer NOT NULL,
	`enrolment_id` integer NOT NULL,
	`service_id` integer NOT NULL,
	`school_id` integer NOT NULL,
	`school_class_id` integer NOT NULL,
	`kind` text NOT NULL,
	`diet_label` text,
	`price_cents` integer NOT NULL,
	`transaction_id` integer,
	`cancelled_at` integer,
	`cancel_transaction_id` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enrolment_id`) REFERENCES `enrolments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meals_one_per_day` ON `meals` (`consumer_id`,`service_id`,`date`) WHERE cancelled_at IS NULL;--> statement-breakpoint
CREATE INDEX `meals_tenant_date` ON `meals` (`tenant_id`,`date`,`school_id`);--> statement-breakpoint
CREATE TABLE `school_calendars` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`school_id` integer NOT NULL,
	`school_year_id` integer NOT NULL,
	`weekdays` text NOT NULL,
	`first_day` text NOT NULL,
	`last_day` text NOT NULL,
	`effective_from` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`school_id`) REFERENCES `schools`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`school_year_id`) REFERENCES `school_years`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `school_calendars_school` ON `school_calendars` (`school_id`,`school_year_id`,`effective_from`);