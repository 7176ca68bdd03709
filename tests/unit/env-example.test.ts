import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../../src/config.js';

/** Variables .env.example documents that scripts/start.sh reads rather than src/config.ts. */
const START_SCRIPT_SETTINGS = ['PERPGRAPH_ALLOCATOR', 'PERPGRAPH_NODE_FLAGS'];

/** `KEY=value` lines, commented out (`# KEY=value`) or not, in file order. */
function exampleSettings(): Array<{ key: string; value: string }> {
  const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  return [...text.matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => ({ key: m[1]!, value: m[2]! }));
}

describe('.env.example', () => {
  it('lists every setting src/config.ts reads, once, and nothing else', () => {
    const keys = exampleSettings().map((s) => s.key);
    const settings = Object.keys(configSchema.shape);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i), 'no key twice').toEqual([]);
    expect(settings.filter((k) => !keys.includes(k)), 'settings of src/config.ts missing from .env.example').toEqual([]);
    expect(keys.filter((k) => !settings.includes(k) && !START_SCRIPT_SETTINGS.includes(k)), 'keys in .env.example that nothing reads').toEqual([]);
  });

  it('shows each default as src/config.ts applies it (empty: unset by default)', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const { key, value } of exampleSettings()) {
      if (START_SCRIPT_SETTINGS.includes(key)) continue;
      if (value === '') {
        const unset = defaults[key];
        const empty = unset === undefined || (unset instanceof Map && unset.size === 0) || (typeof unset === 'object' && unset !== null && Object.keys(unset).length === 0) || (key === 'TRUST_PROXY' && (unset as { kind?: string }).kind === 'none');
        expect(empty, `${key} is shown empty but defaults to ${JSON.stringify(unset)}`).toBe(true);
        continue;
      }
      expect(loadConfig({ [key]: value })[key as keyof ReturnType<typeof loadConfig>], `${key}=${value} is its default`).toEqual(defaults[key]);
    }
  });

  it('has a one-line meaning above every setting', () => {
    const lines = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').split('\n');
    const missing = lines.flatMap((line, i) => {
      const key = /^(?:# )?([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
      if (!key) return [];
      // A group of URL settings shares one heading; otherwise the line above is the meaning.
      const above = lines.slice(0, i).reverse().find((l) => !/^(?:# )?[A-Z][A-Z0-9_]*=/.test(l));
      return above && above.startsWith('# ') && !above.startsWith('# ---') ? [] : [key];
    });
    expect(missing).toEqual([]);
  });
});
