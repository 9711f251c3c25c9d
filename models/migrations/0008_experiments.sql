CREATE TABLE "experiment_outcomes" (
	"enrollment_id" uuid PRIMARY KEY NOT NULL,
	"campaign_id" uuid NOT NULL,
	"day" date NOT NULL,
	"arm" text NOT NULL,
	"control_probability" double precision NOT NULL,
	"converted" smallint NOT NULL,
	"ordered_at" timestamp with time zone,
	"revenue" numeric(18, 4) NOT NULL,
	"discount_cost" numeric(18, 4) NOT NULL,
	"message_cost" numeric(18, 4) NOT NULL,
	"net_margin" numeric(18, 4) NOT NULL,
	"messages_sent" integer NOT NULL,
	"unsubscribed" smallint NOT NULL,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_lift_daily" (
	"day" date NOT NULL,
	"campaign_id" uuid NOT NULL,
	"arm" text NOT NULL,
	"units" integer NOT NULL,
	"converted" integer NOT NULL,
	"revenue" numeric(18, 4) NOT NULL,
	"discount_cost" numeric(18, 4) NOT NULL,
	"message_cost" numeric(18, 4) NOT NULL,
	"net_margin" numeric(18, 4) NOT NULL,
	"messages_sent" integer NOT NULL,
	"unsubscribed" integer NOT NULL,
	"w" double precision NOT NULL,
	"w2" double precision NOT NULL,
	"conv_wy" double precision NOT NULL,
	"conv_w2y" double precision NOT NULL,
	"conv_w2y2" double precision NOT NULL,
	"rev_wy" double precision NOT NULL,
	"rev_w2y" double precision NOT NULL,
	"rev_w2y2" double precision NOT NULL,
	"net_wy" double precision NOT NULL,
	"net_w2y" double precision NOT NULL,
	"net_w2y2" double precision NOT NULL,
	CONSTRAINT "report_lift_daily_pk" PRIMARY KEY("campaign_id","day","arm")
);
--> statement-breakpoint
CREATE TABLE "report_variant_daily" (
	"day" date NOT NULL,
	"campaign_id" uuid NOT NULL,
	"step_index" integer NOT NULL,
	"variant" text NOT NULL,
	"units" integer NOT NULL,
	"converted" integer NOT NULL,
	"revenue" numeric(18, 4) NOT NULL,
	"discount_cost" numeric(18, 4) NOT NULL,
	"message_cost" numeric(18, 4) NOT NULL,
	"net_margin" numeric(18, 4) NOT NULL,
	"messages_sent" integer NOT NULL,
	"unsubscribed" integer NOT NULL,
	"w" double precision NOT NULL,
	"w2" double precision NOT NULL,
	"conv_wy" double precision NOT NULL,
	"conv_w2y" double precision NOT NULL,
	"conv_w2y2" double precision NOT NULL,
	"rev_wy" double precision NOT NULL,
	"rev_w2y" double precision NOT NULL,
	"rev_w2y2" double precision NOT NULL,
	"net_wy" double precision NOT NULL,
	"net_w2y" double precision NOT NULL,
	"net_w2y2" double precision NOT NULL,
	CONSTRAINT "report_variant_daily_pk" PRIMARY KEY("campaign_id","step_index","day","variant")
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "holdout_percent" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "arm" text DEFAULT 'treatment' NOT NULL;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "control_probability" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "assignment" jsonb;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "settled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "arm" text DEFAULT 'treatment' NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "variant" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "withheld_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "enrollments_unsettled_idx" ON "enrollments" USING btree ("abandoned_at") WHERE settled_at IS NULL;--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_arm_known" CHECK (arm IN ('treatment', 'control'));--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_control_probability_range" CHECK (control_probability >= 0 AND control_probability < 1);--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_control_never_sent" CHECK (arm = 'treatment' OR status IN ('planned', 'withheld', 'cancelled'));--> statement-breakpoint
-- The experiment secret (keys the holdout and variant draws) and the store-wide holdout, 0 % until an admin sets it.
INSERT INTO "settings" ("key", "value")
VALUES ('experiments', jsonb_build_object(
  'globalHoldoutPercent', 0,
  'secret', encode(sha256((gen_random_uuid()::text || gen_random_uuid()::text)::bytea), 'hex'),
  'period', 1,
  'periodStartedAt', to_jsonb(now())))
ON CONFLICT ("key") DO NOTHING;
--> statement-breakpoint
-- An enrollment's report facts are its checkout, campaign and abandonment time; its status, group and settling
-- do not move them. Marking every updated enrollment refolded each checkout whose outcome was settled.
DROP TRIGGER "report_enrollments_updated" ON "enrollments";
--> statement-breakpoint
CREATE FUNCTION report_mark_moved_enrollment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_checkouts (checkout_id) VALUES (NEW.checkout_id);
  IF OLD.checkout_id IS DISTINCT FROM NEW.checkout_id THEN
    INSERT INTO report_dirty_checkouts (checkout_id) VALUES (OLD.checkout_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_enrollments_updated AFTER UPDATE ON enrollments FOR EACH ROW
  WHEN ((NEW.checkout_id, NEW.campaign_id, NEW.abandoned_at) IS DISTINCT FROM (OLD.checkout_id, OLD.campaign_id, OLD.abandoned_at))
  EXECUTE FUNCTION report_mark_moved_enrollment();
