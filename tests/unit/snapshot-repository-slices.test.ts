import { describe, expect, it } from 'vitest';
import { createSnapshotRepository, decompressPayload, type SnapshotRow } from '../../src/db/snapshot-repository.js';

// The writer's INSERT is prepared on the request loop (JSON, brotli): a batch of large payloads must leave
// the loop turns in between instead of one long task (an idle server's flush was 15-85 ms in one piece).
describe('snapshot repository insertMany on the event loop', () => {
  it('compresses a batch in slices (other callbacks run in between) and sends each payload as hex of its brotli bytes', async () => {
    const statements: Array<{ text: string; params: readonly unknown[] }> = [];
    const repo = createSnapshotRepository({
      sql: {
        query: async <T>(text: string, params: readonly unknown[] = []) => {
          statements.push({ text, params });
          return { rows: [] as T[], affectedRows: params.length / 7 };
        },
      },
    });
    // ~60 KB of varied numbers per payload, like a liquidation heatmap row.
    const payload = (i: number) => ({ rows: Array.from({ length: 1_500 }, (_, k) => ({ price: 60_000 + Math.sin(i * 7 + k) * 900, usd: Math.cos(k * 13 + i) * 1e6 })) });
    const rows: SnapshotRow[] = Array.from({ length: 40 }, (_, i) => ({ kind: 'LIQUIDATION_HEATMAP', symbol: 'BTCUSDT', asOf: 1_767_000_000_000 + i, methodologyVersion: 'v1', source: 'SIMULATED', venue: 'simulated', payload: payload(i) }));
    let turns = 0;
    let running = true;
    const spin = () => {
      turns += 1;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const started = performance.now();
    const written = await repo.insertMany(rows);
    const elapsed = performance.now() - started;
    running = false;
    expect(written).toBe(40);
    // At most one 4-ms slice between two turns, plus the turn before the statement: far more than 2 turns
    // for a batch that takes tens of milliseconds to compress.
    expect(elapsed).toBeGreaterThan(10);
    expect(turns).toBeGreaterThanOrEqual(3);
    expect(statements).toHaveLength(1);
    const [{ text, params }] = statements as [{ text: string; params: readonly unknown[] }];
    expect(text).toContain("decode($7, 'hex')");
    const hex = params[6];
    expect(typeof hex).toBe('string');
    expect(decompressPayload(Buffer.from(hex as string, 'hex'))).toEqual(JSON.parse(JSON.stringify(rows[0]!.payload)));
  });
});
