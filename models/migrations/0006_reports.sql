CREATE TABLE "report_checkout_facts" (
	"checkout_id" uuid PRIMARY KEY NOT NULL,
	"started_day" date,
	"source_id" uuid NOT NULL,
	"device" text NOT NULL,
	"customer_type" text NOT NULL,
	"started_at" timestamp with time zone,
	"contact_at" timestamp with time zone,
	"shipping_at" timestamp with time zone,
	"payment_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"last_step_at" timestamp with time zone,
	"contact_bucket" smallint NOT NULL,
	"shipping_bucket" smallint NOT NULL,
	"payment_bucket" smallint NOT NULL,
	"completed_bucket" smallint NOT NULL,
	"abandoned_day" date,
	"abandoned_at" timestamp with time zone,
	"campaign_id" uuid,
	"contacted" smallint NOT NULL,
	"recovered" smallint NOT NULL,
	"recovered_at" timestamp with time zone,
	"recovered_revenue" numeric(18, 4) NOT NULL,
	"discount_cost" numeric(18, 4) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_dirty_checkouts" (
	"checkout_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_funnel_daily" (
	"day" date NOT NULL,
	"source_id" uuid NOT NULL,
	"device" text NOT NULL,
	"customer_type" text NOT NULL,
	"contact_bucket" smallint NOT NULL,
	"shipping_bucket" smallint NOT NULL,
	"payment_bucket" smallint NOT NULL,
	"completed_bucket" smallint NOT NULL,
	"checkouts" integer NOT NULL,
	CONSTRAINT "report_funnel_daily_pk" PRIMARY KEY("day","source_id","device","customer_type","contact_bucket","shipping_bucket","payment_bucket","completed_bucket")
);
--> statement-breakpoint
CREATE TABLE "report_message_daily" (
	"day" date NOT NULL,
	"campaign_id" uuid NOT NULL,
	"step_index" integer NOT NULL,
	"channel" text NOT NULL,
	"sent" integer NOT NULL,
	"delivered" integer NOT NULL,
	"opened" integer NOT NULL,
	"clicked" integer NOT NULL,
	"unsubscribed" integer NOT NULL,
	"recovered" integer NOT NULL,
	"recovered_revenue" numeric(18, 4) NOT NULL,
	"discount_cost" numeric(18, 4) NOT NULL,
	"contacted_step" integer NOT NULL,
	"contacted_channel" integer NOT NULL,
	CONSTRAINT "report_message_daily_pk" PRIMARY KEY("day","campaign_id","step_index","channel")
);
--> statement-breakpoint
CREATE TABLE "report_message_facts" (
	"message_id" uuid PRIMARY KEY NOT NULL,
	"checkout_id" uuid NOT NULL,
	"abandoned_day" date NOT NULL,
	"campaign_id" uuid NOT NULL,
	"step_index" integer NOT NULL,
	"channel" text NOT NULL,
	"sent" smallint NOT NULL,
	"delivered" smallint NOT NULL,
	"opened" smallint NOT NULL,
	"clicked" smallint NOT NULL,
	"unsubscribed" smallint NOT NULL,
	"recovered" smallint NOT NULL,
	"recovered_revenue" numeric(18, 4) NOT NULL,
	"discount_cost" numeric(18, 4) NOT NULL,
	"first_of_step" smallint NOT NULL,
	"first_of_channel" smallint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_recovery_daily" (
	"day" date NOT NULL,
	"campaign_id" uuid NOT NULL,
	"abandoned" integer NOT NULL,
	"contacted" integer NOT NULL,
	"recovered" integer NOT NULL,
	"recovered_revenue" numeric(18, 4) NOT NULL,
	"discount_cost" numeric(18, 4) NOT NULL,
	CONSTRAINT "report_recovery_daily_pk" PRIMARY KEY("day","campaign_id")
);
--> statement-breakpoint
CREATE INDEX "report_checkout_facts_started_idx" ON "report_checkout_facts" USING btree ("started_day");--> statement-breakpoint
CREATE INDEX "report_checkout_facts_last_step_idx" ON "report_checkout_facts" USING btree ("last_step_at");--> statement-breakpoint
CREATE INDEX "report_checkout_facts_abandoned_idx" ON "report_checkout_facts" USING btree ("abandoned_at");--> statement-breakpoint
CREATE INDEX "report_checkout_facts_recovered_idx" ON "report_checkout_facts" USING btree ("recovered_at");--> statement-breakpoint
CREATE INDEX "report_message_facts_checkout_idx" ON "report_message_facts" USING btree ("checkout_id");--> statement-breakpoint
-- Report rollups: every change that can move a checkout's report facts marks the checkout dirty (one INSERT
-- per statement, from the statement's transition tables); server/reports/report-folder.ts folds the marks in.
CREATE FUNCTION report_mark_inserted_checkouts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_checkouts (checkout_id) SELECT id FROM new_rows;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Updates are the hot path of ingestion: a row trigger whose WHEN (checked in C, no function call, no transition
-- tables) lets through only the rows whose report columns changed.
CREATE FUNCTION report_mark_updated_checkout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_checkouts (checkout_id) VALUES (NEW.id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION report_mark_deleted_checkouts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_checkouts (checkout_id) SELECT id FROM old_rows;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_checkouts_inserted AFTER INSERT ON checkouts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_inserted_checkouts();
--> statement-breakpoint
CREATE TRIGGER report_checkouts_updated AFTER UPDATE ON checkouts FOR EACH ROW
  WHEN ((NEW.stage_reached_at, NEW.source_id, NEW.device, NEW.customer_id, NEW.abandoned_at, NEW.recovered_at)
        IS DISTINCT FROM (OLD.stage_reached_at, OLD.source_id, OLD.device, OLD.customer_id, OLD.abandoned_at, OLD.recovered_at))
  EXECUTE FUNCTION report_mark_updated_checkout();
--> statement-breakpoint
CREATE TRIGGER report_checkouts_deleted AFTER DELETE ON checkouts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_deleted_checkouts();
--> statement-breakpoint
-- New or returning depends on the customer's earlier orders: an order, or an order moved to another customer,
-- marks that customer's checkouts. Lookups are `= ANY (ARRAY(...))`: a transition table has no statistics, and
-- `IN (subquery)` may be planned as a scan of the whole table.
CREATE FUNCTION report_mark_inserted_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_checkouts (checkout_id)
  SELECT c.id FROM checkouts c WHERE c.customer_id = ANY (ARRAY(SELECT DISTINCT customer_id FROM new_rows WHERE customer_id IS NOT NULL));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION report_mark_updated_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_checkouts (checkout_id)
  SELECT c.id FROM checkouts c WHERE c.customer_id = ANY (ARRAY(
    SELECT n.customer_id FROM new_rows n JOIN old_rows o ON o.order_id = n.order_id
     WHERE (n.customer_id, n.occurred_at, n.checkout_id) IS DISTINCT FROM (o.customer_id, o.occurred_at, o.checkout_id)
    UNION
    SELECT o.customer_id FROM new_rows n JOIN old_rows o ON o.order_id = n.order_id
     WHERE (n.customer_id, n.occurred_at, n.checkout_id) IS DISTINCT FROM (o.customer_id, o.occurred_at, o.checkout_id)));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_orders_inserted AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_inserted_orders();
--> statement-breakpoint
CREATE TRIGGER report_orders_updated AFTER UPDATE ON orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_updated_orders();
--> statement-breakpoint
-- Enrollments and messages carry their checkout id.
CREATE FUNCTION report_mark_new_rows_checkouts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_checkouts (checkout_id) SELECT checkout_id FROM new_rows;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_enrollments_inserted AFTER INSERT ON enrollments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_new_rows_checkouts();
--> statement-breakpoint
CREATE TRIGGER report_enrollments_updated AFTER UPDATE ON enrollments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_new_rows_checkouts();
--> statement-breakpoint
CREATE TRIGGER report_messages_inserted AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_new_rows_checkouts();
--> statement-breakpoint
-- Message updates are the hot path of sending (`sending`, then `sent`, per message): a row trigger whose WHEN
-- lets through only the rows whose report columns changed, without transition tables.
CREATE FUNCTION report_mark_updated_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_checkouts (checkout_id) VALUES (NEW.checkout_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_messages_updated AFTER UPDATE ON messages FOR EACH ROW
  WHEN ((NEW.checkout_id, NEW.campaign_id, NEW.step_index, NEW.channel, NEW.sent_at, NEW.delivered_at, NEW.opened_at, NEW.clicked_at, NEW.recovered_revenue)
        IS DISTINCT FROM (OLD.checkout_id, OLD.campaign_id, OLD.step_index, OLD.channel, OLD.sent_at, OLD.delivered_at, OLD.opened_at, OLD.clicked_at, OLD.recovered_revenue))
  EXECUTE FUNCTION report_mark_updated_message();
--> statement-breakpoint
CREATE FUNCTION report_mark_unsubscribes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_checkouts (checkout_id)
  SELECT m.checkout_id FROM messages m WHERE m.id = ANY (ARRAY(SELECT message_id FROM new_rows WHERE kind = 'unsubscribed'));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_engagements_inserted AFTER INSERT ON message_engagements REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_unsubscribes();
--> statement-breakpoint
CREATE FUNCTION report_mark_redemptions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_checkouts (checkout_id)
  SELECT m.checkout_id FROM messages m WHERE m.id = ANY (ARRAY(
    SELECT n.message_id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE (n.redeemed_at, n.redemption::text, n.message_id) IS DISTINCT FROM (o.redeemed_at, o.redemption::text, o.message_id)
    UNION
    SELECT o.message_id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE (n.redeemed_at, n.redemption::text, n.message_id) IS DISTINCT FROM (o.redeemed_at, o.redemption::text, o.message_id)));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_discount_codes_updated AFTER UPDATE ON discount_codes REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_redemptions();
--> statement-breakpoint
-- A database that already holds checkouts: fold them all in.
INSERT INTO report_dirty_checkouts (checkout_id) SELECT id FROM checkouts;
--> statement-breakpoint
-- The fold finds a message's discount code by the message.
CREATE INDEX report_discount_codes_message_idx ON discount_codes (message_id) WHERE message_id IS NOT NULL;
