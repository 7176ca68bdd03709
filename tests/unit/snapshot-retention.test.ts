import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { parseDuration, parseRetentionByKind, parseRetentionPolicy } from '../../src/domain/retention.js';

const H = 3_600_000;
const D = 24 * H;

describe('snapshot retention settings', () => {
  it('parses durations in ms, s, m, h, d and w', () => {
    expect([parseDuration('500ms'), parseDuration('90s'), parseDuration('5m'), parseDuration('1h'), parseDuration('1.5d'), parseDuration('2w')]).toEqual([
      500, 90_000, 300_000, H, 36 * H, 14 * D,
    ]);
    expect(() => parseDuration('5 minutes'), 'units are the short ones').toThrow(/"5 minutes" is not a duration/);
  });

  it('reads tiers as "up to AGE, one row per RESOLUTION", full and forever included', () => {
    expect(parseRetentionPolicy('1h:full,1d:5m,7d:15m,90d:1h')).toEqual([
      { maxAgeMs: H, resolutionMs: null },
      { maxAgeMs: D, resolutionMs: 5 * 60_000 },
      { maxAgeMs: 7 * D, resolutionMs: 15 * 60_000 },
      { maxAgeMs: 90 * D, resolutionMs: H },
    ]);
    expect(parseRetentionPolicy('forever:full'), 'keep everything').toEqual([{ maxAgeMs: Infinity, resolutionMs: null }]);
    expect(parseRetentionPolicy('1d:full,forever:1h').at(-1)).toEqual({ maxAgeMs: Infinity, resolutionMs: H });
  });

  it('rejects policies that cannot be meant', () => {
    expect(() => parseRetentionPolicy('7d:1m,1d:full'), 'ages must increase').toThrow(/ages must increase/);
    expect(() => parseRetentionPolicy('1d:1h,7d:1m'), 'an older tier finer than a younger one').toThrow(/cannot be finer/);
    expect(() => parseRetentionPolicy('1d:1m,7d:full'), 'full again after downsampling').toThrow(/"full" after a downsampled tier/);
    expect(() => parseRetentionPolicy('forever:full,1d:1m'), 'forever only last').toThrow(/only the last tier may be forever/);
    expect(() => parseRetentionPolicy('1d'), 'resolution missing').toThrow(/is not AGE:RESOLUTION/);
  });

  it('parses per-kind overrides', () => {
    const byKind = parseRetentionByKind('LIQUIDATION_HEATMAP=6h:full,7d:1h; FUNDING=forever:full');
    expect([...byKind.keys()]).toEqual(['LIQUIDATION_HEATMAP', 'FUNDING']);
    expect(byKind.get('LIQUIDATION_HEATMAP')).toEqual([
      { maxAgeMs: 6 * H, resolutionMs: null },
      { maxAgeMs: 7 * D, resolutionMs: H },
    ]);
    expect(() => parseRetentionByKind('heatmap=1d:full'), 'kinds are the enum names').toThrow(/is not KIND=POLICY/);
    expect(() => parseRetentionByKind('LIQUIDATION_HEATMAPS=1d:full'), 'a misspelt kind would silently keep the default').toThrow(
      /"LIQUIDATION_HEATMAPS" is not an analysis kind \(one of .*LIQUIDATION_HEATMAP/,
    );
    expect(() => parseRetentionByKind('FUNDING=1d:full;FUNDING=2d:full'), 'one policy per kind').toThrow(/"FUNDING" is given twice/);
  });

  it('loads from the environment with documented defaults and names a bad setting', () => {
    const config = loadConfig({});
    expect(config.SNAPSHOT_RETENTION, 'default: an hour full, 5 min to a day, 15 min to a week, hourly to 90 days').toEqual(parseRetentionPolicy('1h:full,1d:5m,7d:15m,90d:1h'));
    expect(config.SNAPSHOT_RETENTION_BY_KIND.size, 'no per-kind override by default').toBe(0);
    expect(config.SNAPSHOT_PRUNE_EVERY_MS).toBe(300_000);
    const custom = loadConfig({ SNAPSHOT_RETENTION: '2d:full', SNAPSHOT_RETENTION_BY_KIND: 'CORRELATION=1d:1h' });
    expect(custom.SNAPSHOT_RETENTION).toEqual([{ maxAgeMs: 2 * D, resolutionMs: null }]);
    expect(custom.SNAPSHOT_RETENTION_BY_KIND.get('CORRELATION')).toEqual([{ maxAgeMs: D, resolutionMs: H }]);
    let error: unknown;
    try {
      loadConfig({ SNAPSHOT_RETENTION: '7d:1m,1d:full' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems[0]).toMatch(/^SNAPSHOT_RETENTION: .*ages must increase.*\(got "7d:1m,1d:full"\)/);
  });
});
