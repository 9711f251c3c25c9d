CREATE TABLE "model_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" serial NOT NULL,
	"status" text DEFAULT 'candidate' NOT NULL,
	"model" jsonb NOT NULL,
	"feature_schema_version" integer NOT NULL,
	"metrics" jsonb NOT NULL,
	"verdict" text NOT NULL,
	"training_run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"promoted_at" timestamp with time zone,
	"promoted_by" text
);
--> statement-breakpoint
CREATE TABLE "send_time_stats" (
	"segment" text NOT NULL,
	"arm_minutes" integer NOT NULL,
	"successes" integer DEFAULT 0 NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "send_time_stats_segment_arm_minutes_pk" PRIMARY KEY("segment","arm_minutes")
);
--> statement-breakpoint
CREATE TABLE "training_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trigger" text NOT NULL,
	"dedupe_key" text,
	"requested_by" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"stage" text,
	"error" text,
	"result" jsonb,
	"model_version_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "model_versions_one_promoted" ON "model_versions" USING btree ("status") WHERE status = 'promoted';--> statement-breakpoint
CREATE UNIQUE INDEX "training_runs_dedupe_unique" ON "training_runs" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "training_runs_created_idx" ON "training_runs" USING btree ("created_at");