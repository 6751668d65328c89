ALTER TABLE `school_classes` ADD `archived_at` integer;--> statement-breakpoint
ALTER TABLE `school_years` ADD `archived_at` integer;