import { describe, expect, it } from 'vitest';
import { fredObservationsSchema } from '../../src/datasources/fred/schemas.js';
import { toMacroObservations } from '../../src/datasources/fred/fred-mapper.js';
import { fredEnvelope } from '../../src/datasources/fred/fred-api.js';
import { parseMacroCsv } from '../../src/datasources/macro/macro-csv.js';

/** The FRED wire shape (series/observations, file_type=json), trimmed: 2025-12-31, the holiday 2026-01-01, 2026-01-02. */
const body = () => ({
  realtime_start: '2026-01-09',
  realtime_end: '2026-01-09',
  observation_start: '2025-12-31',
  observation_end: '9999-12-31',
  units: 'lin',
  output_type: 1,
  file_type: 'json',
  order_by: 'observation_date',
  sort_order: 'asc',
  count: 3,
  offset: 0,
  limit: 100000,
  observations: [
    { realtime_start: '2026-01-09', realtime_end: '2026-01-09', date: '2025-12-31', value: '6845.50' },
    { realtime_start: '2026-01-09', realtime_end: '2026-01-09', date: '2026-01-01', value: '.' },
    { realtime_start: '2026-01-09', realtime_end: '2026-01-09', date: '2026-01-02', value: '6858.47' },
  ],
});

describe('FRED series/observations', () => {
  it('maps values to numbers and "." to null, dates to 00:00 UTC', () => {
    const obs = toMacroObservations(fredObservationsSchema.parse(body()));
    expect(obs).toEqual([
      { date: '2025-12-31', time: Date.UTC(2025, 11, 31), value: 6845.5 },
      { date: '2026-01-01', time: Date.UTC(2026, 0, 1), value: null },
      { date: '2026-01-02', time: Date.UTC(2026, 0, 2), value: 6858.47 },
    ]);
  });

  it('sorts a descending answer oldest first and keeps the first row of a repeated date', () => {
    const b = body();
    b.observations.reverse();
    b.observations.push({ realtime_start: '2026-01-09', realtime_end: '2026-01-09', date: '2026-01-02', value: '1' });
    const obs = toMacroObservations(fredObservationsSchema.parse({ ...b, sort_order: 'desc' }));
    expect(obs.map((o) => o.date)).toEqual(['2025-12-31', '2026-01-01', '2026-01-02']);
    expect(obs[2]!.value, 'first seen wins').toBe(6858.47);
  });

  it.each([
    ['a value that is not a number', (b: ReturnType<typeof body>) => (b.observations[0]!.value = 'abc'), /decimal number/],
    ['an empty value', (b: ReturnType<typeof body>) => (b.observations[0]!.value = ''), /decimal number/],
    ['a numeric value sent as a JSON number', (b: ReturnType<typeof body>) => ((b.observations[0] as { value: unknown }).value = 6845.5), /string/],
    ['an impossible date', (b: ReturnType<typeof body>) => (b.observations[0]!.date = '2026-02-30'), /YYYY-MM-DD/],
    ['a missing observations array', (b: ReturnType<typeof body>) => delete (b as Partial<ReturnType<typeof body>>).observations, /observations/],
    ['an xml file type', (b: ReturnType<typeof body>) => (b.file_type = 'xml'), /json/],
  ])('rejects %s', (_name, mutate, message) => {
    const b = body();
    mutate(b);
    const parsed = fredObservationsSchema.safeParse(b);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error!.issues)).toMatch(message);
  });

  it('reads FRED error bodies: 429 pauses, 400 is a plain error, a success is none', () => {
    const now = 0;
    expect(fredEnvelope({ error_code: 429, error_message: 'Too Many Requests.  Exceeded Rate Limit' }, { status: 429, headers: {}, now })).toMatchObject({ kind: 'rateLimited', code: '429' });
    expect(fredEnvelope({ error_code: 400, error_message: 'Bad Request.  The series does not exist.' }, { status: 400, headers: {}, now })).toMatchObject({ kind: 'error', msg: 'Bad Request.  The series does not exist.' });
    expect(fredEnvelope({ error_code: 500, error_message: 'Internal Server Error' }, { status: 500, headers: {}, now })).toMatchObject({ kind: 'transient' });
    expect(fredEnvelope(body(), { status: 200, headers: {}, now })).toBeNull();
  });
});

describe('macro CSV replay', () => {
  it('parses date,value rows in any order, "." and empty as no value', () => {
    const obs = parseMacroCsv('date,value\n2026-01-02,2650.1\n2025-12-31,2625.0\n2026-01-01,.\n2026-01-05,\n# comment\n');
    expect(obs).toEqual([
      { date: '2025-12-31', time: Date.UTC(2025, 11, 31), value: 2625 },
      { date: '2026-01-01', time: Date.UTC(2026, 0, 1), value: null },
      { date: '2026-01-02', time: Date.UTC(2026, 0, 2), value: 2650.1 },
      { date: '2026-01-05', time: Date.UTC(2026, 0, 5), value: null },
    ]);
  });

  it.each([
    ['a wrong header', 'day,close\n2026-01-02,1', /line 1 must be the header/],
    ['a bad date', 'date,value\n2026-13-02,1', /line 2: "2026-13-02" is not a YYYY-MM-DD date/],
    ['a bad number', 'date,value\n2026-01-02,1,5', /line 2: expected "date,value"/],
    ['text as a value', 'date,value\n2026-01-02,abc', /line 2: "abc" is not a number/],
    ['a repeated date', 'date,value\n2026-01-02,1\n2026-01-02,2', /line 3: 2026-01-02 appears twice/],
  ])('rejects %s with the line', (_name, text, message) => {
    expect(() => parseMacroCsv(text, 'GOLD.csv')).toThrow(message);
  });
});
