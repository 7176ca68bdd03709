import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { sortedSchema } from '../../src/schema/index.js';

const run = promisify(execFile);

describe('committed schema and typed documents', () => {
  it('schema.graphql and generated/graphql/ match what codegen generates now', async () => {
    // `--check` is codegen's dry run: exit 1 and a list of stale files when anything would change.
    const result = await run(process.execPath, ['--import', 'tsx', 'node_modules/@graphql-codegen/cli/cjs/bin.js', '--config', 'codegen.ts', '--check'], {
      env: { ...process.env, FORCE_COLOR: '0' },
    }).then(
      () => ({ code: 0, output: '' }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
    );
    expect(result.code, `run \`npm run codegen\` and commit the result:\n${result.output}`).toBe(0);
  }, 60_000);

  it('schema.graphql is the sorted SDL of the schema in code', async () => {
    const committed = await readFile('schema.graphql', 'utf8');
    const normalise = (sdl: string) => sdl.replace(/\s+/g, ' ').trim();
    expect(normalise(committed), 'same types, fields and descriptions').toBe(normalise(printSchema(sortedSchema)));
  });

  it('keeps the API names later work depends on', () => {
    const query = sortedSchema.getQueryType()!.getFields();
    const subscription = sortedSchema.getSubscriptionType()!.getFields();
    expect(Object.keys(query)).toEqual(expect.arrayContaining(['health', 'symbols', 'market', 'snapshots']));
    expect(Object.keys(subscription)).toEqual(expect.arrayContaining(['analysisUpdated', 'fundingUpdated']));
    const funding = sortedSchema.getType('FundingAnalysis') as unknown as { getFields(): Record<string, unknown> };
    expect(Object.keys(funding.getFields())).toEqual(
      expect.arrayContaining(['rate', 'annualizedRate', 'nextFundingTime', 'zScore', 'trend', 'isExtreme', 'factors', 'meta']),
    );
  });
});
