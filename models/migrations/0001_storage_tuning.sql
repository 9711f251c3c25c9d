-- Checkouts and customers are updated in place by every event about them. Free space on each page lets
-- PostgreSQL keep the new row version on the same page (a HOT update), with no index writes.
ALTER TABLE "checkouts" SET (fillfactor = 80);
--> statement-breakpoint
ALTER TABLE "customers" SET (fillfactor = 85);
