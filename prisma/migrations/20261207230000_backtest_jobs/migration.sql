-- Backtest and optimisation jobs (README "Backtests"): the input as given, its state, progress and result,
-- so a result survives a restart and any instance sharing the database can answer `backtest(id)`. The
-- queue itself is pg-boss (its own schema `pgboss`, created by pg-boss) on Postgres, or an in-process queue on
-- the embedded database; this table is the record users see either way.
CREATE TABLE "backtest_job" (
    "id" TEXT NOT NULL,
    -- BACKTEST or OPTIMIZATION.
    "kind" TEXT NOT NULL,
    -- QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED.
    "status" TEXT NOT NULL,
    -- The API key that started it (jobs are listed per key; an admin key sees every job).
    "key_id" TEXT,
    "input" JSONB NOT NULL,
    -- Fraction done (0..1) and the estimated milliseconds left while RUNNING.
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "eta_ms" DOUBLE PRECISION,
    "result" JSONB,
    "error" TEXT,
    -- Runs started (a run interrupted by a restart is started again).
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backtest_job_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "backtest_job_key_id_created_at_idx" ON "backtest_job"("key_id", "created_at");
CREATE INDEX "backtest_job_status_idx" ON "backtest_job"("status");
