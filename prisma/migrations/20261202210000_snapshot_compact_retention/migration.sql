-- Compact payloads: new rows store the JSON brotli-compressed in "payload_br" (about 10× smaller than the
-- jsonb, which TOAST only compresses with pglz) and leave "payload" NULL; rows written before keep theirs.
-- STORAGE EXTERNAL: the bytes are already compressed, so TOAST does not try again.
ALTER TABLE "analysis_snapshot" ALTER COLUMN "payload" DROP NOT NULL;
ALTER TABLE "analysis_snapshot" ADD COLUMN "payload_br" BYTEA;
ALTER TABLE "analysis_snapshot" ALTER COLUMN "payload_br" SET STORAGE EXTERNAL;
ALTER TABLE "analysis_snapshot" ADD CONSTRAINT "analysis_snapshot_payload_present" CHECK ("payload" IS NOT NULL OR "payload_br" IS NOT NULL);

-- Retention and downsampling (src/db/snapshot-retention.ts) select rows by age, i.e. by "created_at".
CREATE INDEX "analysis_snapshot_created_at_idx" ON "analysis_snapshot"("created_at");
