CREATE TABLE `sim_carts` (
	`id` text PRIMARY KEY NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sim_debt_positions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_fiscal_code` text NOT NULL,
	`iupd` text NOT NULL,
	`status` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sim_debt_positions_iupd` ON `sim_debt_positions` (`organization_fiscal_code`,`iupd`);--> statement-breakpoint
CREATE TABLE `sim_payment_options` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`position_id` integer NOT NULL,
	`organization_fiscal_code` text NOT NULL,
	`iuv` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`description` text NOT NULL,
	`company_name` text NOT NULL,
	`debtor_name` text NOT NULL,
	`due_date` text NOT NULL,
	`paid_receipt_id` text,
	FOREIGN KEY (`position_id`) REFERENCES `sim_debt_positions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sim_payment_options_iuv` ON `sim_payment_options` (`organization_fiscal_code`,`iuv`);--> statement-breakpoint
CREATE TABLE `sim_receipt_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`receipt_id` text NOT NULL,
	`copy` integer NOT NULL,
	`organization_fiscal_code` text NOT NULL,
	`payload` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`delivered_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sim_receipt_outbox_copy` ON `sim_receipt_outbox` (`receipt_id`,`copy`);--> statement-breakpoint
CREATE INDEX `sim_receipt_outbox_due` ON `sim_receipt_outbox` (`delivered_at`,`next_attempt_at`);