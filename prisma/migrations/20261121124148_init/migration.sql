-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "analysis_snapshot" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "as_of" TIMESTAMPTZ(3) NOT NULL,
    "methodology_version" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "venue" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "analysis_snapshot_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "analysis_snapshot_kind_symbol_as_of_idx" ON "analysis_snapshot"("kind", "symbol", "as_of" DESC);
