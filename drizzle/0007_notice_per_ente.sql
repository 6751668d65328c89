DROP INDEX `payments_notice_number_unique`;--> statement-breakpoint
CREATE UNIQUE INDEX `payments_tenant_notice` ON `payments` (`tenant_id`,`notice_number`);--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_codice_fiscale_ente` ON `tenants` (`codice_fiscale_ente`);