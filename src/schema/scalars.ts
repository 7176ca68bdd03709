import { JSONResolver } from 'graphql-scalars';
import { Kind } from 'graphql';
import { badInput } from '../errors.js';
import { builder } from './builder.js';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): number {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) {
    throw badInput(`DateTime must be an ISO-8601 string with a time zone, e.g. "2026-01-31T08:00:00Z"; got ${JSON.stringify(value)}`);
  }
  const ms = Date.parse(value);
  // Date.parse rolls 2026-02-31 over to March 3rd; a real date survives the round trip of its own day.
  const [y, mo, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (Number.isNaN(ms) || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) {
    throw badInput(`DateTime ${JSON.stringify(value)} is not a real date`);
  }
  return ms;
}

builder.scalarType('DateTime', {
  description: 'An instant as an ISO-8601 string in UTC, e.g. 2026-01-31T08:00:00.000Z.',
  serialize: (value) => new Date(value).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : (ast as { value?: unknown }).value),
});

builder.addScalarType('JSON', JSONResolver);
