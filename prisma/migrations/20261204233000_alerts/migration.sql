-- Alerts (README "Alerts"): rules, the events they fired, and the durable delivery outbox with a log per attempt.
-- The outbox is plain SQL (src/alerts/outbox.ts): rows are claimed with one UPDATE … FOR UPDATE SKIP LOCKED
-- statement, which works the same on PGlite (one connection) and on a shared Postgres (several instances).

-- CreateTable
CREATE TABLE "alert_rule" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "event" TEXT NOT NULL,
    "symbols" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "conditions" JSONB NOT NULL DEFAULT '{}',
    "cooldown_ms" INTEGER NOT NULL DEFAULT 0,
    "schedule" TEXT,
    "digest" JSONB,
    "channels" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_event" (
    "id" TEXT NOT NULL,
    "rule_id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "symbol" TEXT,
    "source" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "message" JSONB NOT NULL,
    "fired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_delivery" (
    "id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "channel_index" INTEGER NOT NULL,
    "channel_type" TEXT NOT NULL,
    "channel" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "locked_by" TEXT,
    "last_error" TEXT,
    "last_status_code" INTEGER,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_delivery_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_delivery_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "alert_event"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "alert_delivery_attempt" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "status_code" INTEGER,
    "latency_ms" DOUBLE PRECISION NOT NULL,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_delivery_attempt_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_delivery_attempt_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "alert_delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- One event per rule firing, however many instances evaluated the same record.
CREATE UNIQUE INDEX "alert_event_idempotency_key_key" ON "alert_event"("idempotency_key");
-- History: alertEvents(ruleId, from, to) newest first.
CREATE INDEX "alert_event_rule_id_fired_at_idx" ON "alert_event"("rule_id", "fired_at" DESC);
CREATE INDEX "alert_event_fired_at_idx" ON "alert_event"("fired_at" DESC);
-- One delivery per (event, channel).
CREATE UNIQUE INDEX "alert_delivery_event_id_channel_index_key" ON "alert_delivery"("event_id", "channel_index");
-- The dispatcher's claim: due rows by status and time.
CREATE INDEX "alert_delivery_status_next_attempt_at_idx" ON "alert_delivery"("status", "next_attempt_at");
CREATE INDEX "alert_delivery_attempt_delivery_id_idx" ON "alert_delivery_attempt"("delivery_id");
