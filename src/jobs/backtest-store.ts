import type { SqlExecutor } from '../db/database.js';
import type { BacktestJobInput } from './backtest-input.js';

/**
 * The `backtest_job` table (migration 20261207230000_backtest_jobs): the record of every backtest and
 * optimisation, whichever queue runs it. Plain parameterised SQL that PGlite and Postgres both run. Status
 * changes are conditional updates, so a cancel and a finishing run cannot overwrite each other.
 */

export const JobStatuses = { QUEUED: 'QUEUED', RUNNING: 'RUNNING', SUCCEEDED: 'SUCCEEDED', FAILED: 'FAILED', CANCELLED: 'CANCELLED' } as const;
export type JobStatus = (typeof JobStatuses)[keyof typeof JobStatuses];
export const TERMINAL: ReadonlySet<JobStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export const JobKinds = { BACKTEST: 'BACKTEST', OPTIMIZATION: 'OPTIMIZATION' } as const;
export type JobKind = (typeof JobKinds)[keyof typeof JobKinds];

export interface BacktestJobRecord {
  id: string;
  kind: JobKind;
  status: JobStatus;
  keyId: string | null;
  input: BacktestJobInput;
  /** Fraction done, 0..1. */
  progress: number;
  etaMs: number | null;
  result: unknown;
  error: string | null;
  attempts: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
}

interface Row {
  id: string;
  kind: JobKind;
  status: JobStatus;
  key_id: string | null;
  input: BacktestJobInput | string;
  progress: number;
  eta_ms: number | null;
  result: unknown;
  error: string | null;
  attempts: number;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  updated_at: Date | string;
}

const ms = (v: Date | string | null): number | null => (v === null ? null : new Date(v).getTime());
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
const toRecord = (r: Row): BacktestJobRecord => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  keyId: r.key_id,
  input: json(r.input) as BacktestJobInput,
  progress: Number(r.progress),
  etaMs: r.eta_ms === null ? null : Number(r.eta_ms),
  result: r.result === null ? null : json(r.result),
  error: r.error,
  attempts: Number(r.attempts),
  createdAt: ms(r.created_at)!,
  startedAt: ms(r.started_at),
  finishedAt: ms(r.finished_at),
  updatedAt: ms(r.updated_at)!,
});
const iso = (t: number) => new Date(t).toISOString();
const LIST = 'id, kind, status, key_id, input, progress, eta_ms, NULL::jsonb AS result, error, attempts, created_at, started_at, finished_at, updated_at';

export interface BacktestJobStore {
  create(job: { id: string; kind: JobKind; keyId: string | null; input: BacktestJobInput }, now: number): Promise<BacktestJobRecord>;
  get(id: string): Promise<BacktestJobRecord | undefined>;
  /** Newest first, without results (a listing stays small); `keyId` null lists every key's jobs. */
  list(q: { keyId: string | null; first: number; status?: JobStatus }): Promise<BacktestJobRecord[]>;
  /** QUEUED (or RUNNING: a run interrupted by a restart) → RUNNING, attempts + 1; undefined when it is finished or cancelled. */
  begin(id: string, now: number): Promise<BacktestJobRecord | undefined>;
  /** Records progress while RUNNING; false when the job is no longer running (cancelled meanwhile). */
  progress(id: string, fraction: number, etaMs: number | null, now: number): Promise<boolean>;
  /** RUNNING → SUCCEEDED with the result; false when it was cancelled meanwhile. */
  succeed(id: string, result: unknown, now: number): Promise<boolean>;
  /** QUEUED or RUNNING → FAILED. */
  fail(id: string, error: string, now: number): Promise<boolean>;
  /** QUEUED or RUNNING → CANCELLED; the record after, undefined when there is no such job. */
  cancel(id: string, now: number): Promise<BacktestJobRecord | undefined>;
  /** RUNNING → QUEUED (this instance stops; the run starts again later). */
  requeue(id: string, now: number): Promise<void>;
  /** Ids of QUEUED and RUNNING jobs, oldest first. */
  unfinished(): Promise<string[]>;
  /** Jobs QUEUED or RUNNING (the queue bound of the in-process queue). */
  countUnfinished(): Promise<number>;
}

export function createBacktestJobStore(sql: SqlExecutor): BacktestJobStore {
  const one = async (text: string, params: unknown[]) => {
    const { rows } = await sql.query<Row>(text, params);
    return rows[0] ? toRecord(rows[0]) : undefined;
  };
  return {
    async create(job, now) {
      return (await one(
        `INSERT INTO backtest_job (id, kind, status, key_id, input, created_at, updated_at) VALUES ($1, $2, 'QUEUED', $3, $4::jsonb, $5, $5) RETURNING *`,
        [job.id, job.kind, job.keyId, JSON.stringify(job.input), iso(now)],
      ))!;
    },
    get: (id) => one('SELECT * FROM backtest_job WHERE id = $1', [id]),
    async list(q) {
      const params: unknown[] = [q.first];
      const where: string[] = [];
      if (q.keyId !== null) {
        params.push(q.keyId);
        where.push(`key_id = $${params.length}`);
      }
      if (q.status) {
        params.push(q.status);
        where.push(`status = $${params.length}`);
      }
      const { rows } = await sql.query<Row>(`SELECT ${LIST} FROM backtest_job ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $1`, params);
      return rows.map(toRecord);
    },
    begin: (id, now) =>
      one(
        `UPDATE backtest_job SET status = 'RUNNING', attempts = attempts + 1, started_at = $2, progress = 0, eta_ms = NULL, updated_at = $2
          WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') RETURNING *`,
        [id, iso(now)],
      ),
    async progress(id, fraction, etaMs, now) {
      const r = await sql.query(`UPDATE backtest_job SET progress = $2, eta_ms = $3, updated_at = $4 WHERE id = $1 AND status = 'RUNNING'`, [id, fraction, etaMs, iso(now)]);
      return r.affectedRows > 0;
    },
    async succeed(id, result, now) {
      const r = await sql.query(
        `UPDATE backtest_job SET status = 'SUCCEEDED', result = $2::jsonb, progress = 1, eta_ms = 0, finished_at = $3, updated_at = $3 WHERE id = $1 AND status = 'RUNNING'`,
        [id, JSON.stringify(result), iso(now)],
      );
      return r.affectedRows > 0;
    },
    async fail(id, error, now) {
      const r = await sql.query(
        `UPDATE backtest_job SET status = 'FAILED', error = $2, eta_ms = NULL, finished_at = $3, updated_at = $3 WHERE id = $1 AND status IN ('QUEUED', 'RUNNING')`,
        [id, error, iso(now)],
      );
      return r.affectedRows > 0;
    },
    async cancel(id, now) {
      await sql.query(`UPDATE backtest_job SET status = 'CANCELLED', eta_ms = NULL, finished_at = $2, updated_at = $2 WHERE id = $1 AND status IN ('QUEUED', 'RUNNING')`, [id, iso(now)]);
      return one('SELECT * FROM backtest_job WHERE id = $1', [id]);
    },
    async requeue(id, now) {
      await sql.query(`UPDATE backtest_job SET status = 'QUEUED', eta_ms = NULL, updated_at = $2 WHERE id = $1 AND status = 'RUNNING'`, [id, iso(now)]);
    },
    async unfinished() {
      const { rows } = await sql.query<{ id: string }>(`SELECT id FROM backtest_job WHERE status IN ('QUEUED', 'RUNNING') ORDER BY created_at, id`);
      return rows.map((r) => r.id);
    },
    async countUnfinished() {
      const { rows } = await sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM backtest_job WHERE status IN ('QUEUED', 'RUNNING')`);
      return Number(rows[0]!.n);
    },
  };
}
