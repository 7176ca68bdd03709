import { MAX_ROWS_PER_INSERT, type SnapshotRow, type SnapshotStore } from '../db/snapshot-repository.js';
import { createBatchWriter, type BatchWriter, type BatchWriterOptions, type BatchWriterStats } from './batch-writer.js';

export type SnapshotWriterStats = BatchWriterStats;
export type SnapshotWriter = BatchWriter<SnapshotRow>;
export type SnapshotWriterOptions = Omit<BatchWriterOptions<SnapshotRow>, 'store' | 'what' | 'maxBatchSize'> & { store: SnapshotStore };

/** The batch writer for analysis snapshots (see createBatchWriter for its invariants). */
export function createSnapshotWriter(options: SnapshotWriterOptions): SnapshotWriter {
  return createBatchWriter<SnapshotRow>({ ...options, what: 'snapshot', maxBatchSize: MAX_ROWS_PER_INSERT });
}
