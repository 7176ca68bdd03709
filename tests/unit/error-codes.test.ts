import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODES, ErrorCodes, UPSTREAM_ERROR_CODES } from '../../src/errors.js';

describe('error code classes (the server logs client faults at info without a stack, upstream faults at warn)', () => {
  it('counts the public limits a client runs into as client errors', () => {
    for (const code of [ErrorCodes.COST_LIMIT_EXCEEDED, ErrorCodes.RATE_LIMITED, ErrorCodes.PAYLOAD_TOO_LARGE, ErrorCodes.QUERY_TOO_COMPLEX, ErrorCodes.LIMIT_EXCEEDED]) {
      expect(CLIENT_ERROR_CODES.has(code), `${code} is the client's to fix (cheaper query, smaller body, retry later)`).toBe(true);
    }
  });

  it('puts every code of the closed set in exactly one class', () => {
    const unclassified = Object.values(ErrorCodes).filter((c) => CLIENT_ERROR_CODES.has(c) === UPSTREAM_ERROR_CODES.has(c));
    expect(unclassified, 'neither or both: it would be logged as an upstream fault by default').toEqual([]);
    expect([...UPSTREAM_ERROR_CODES].sort()).toEqual(['UPSTREAM_RATE_LIMITED', 'UPSTREAM_UNAVAILABLE']);
  });
});
