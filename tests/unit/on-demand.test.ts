import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createOnDemandScheduler, OnDemandBusyError } from '../../src/engine/on-demand.js';
import { toAppError } from '../../src/errors.js';

describe('on-demand scheduler', () => {
  it('coalesces identical keys into one run and returns its value to both callers', async () => {
    const scheduler = createOnDemandScheduler({ maxQueued: 8, budgetMs: 1_000 });
    let runs = 0;
    const [a, b] = await Promise.all([scheduler.run('HEATMAP', 'k', () => ++runs), scheduler.run('HEATMAP', 'k', () => ++runs)]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
    expect(scheduler.stats()).toMatchObject({ ran: 1, coalesced: 1, queued: 0 });
  });

  it('rejects past the queue limit with a domain error that the API codes RATE_LIMITED', async () => {
    const scheduler = createOnDemandScheduler({ maxQueued: 1, budgetMs: 1_000, initialEstimateMs: 10 });
    const first = scheduler.run('VOLUME', 'a', () => 'ok');
    const second = scheduler.run('VOLUME', 'b', () => 'never');
    await expect(second).rejects.toBeInstanceOf(OnDemandBusyError);
    const error = await second.catch((e: unknown) => e);
    const mapped = toAppError(error) as GraphQLError;
    expect(mapped.extensions).toMatchObject({ code: 'RATE_LIMITED', queued: 1, queuedMs: 10, budgetMs: 1_000 });
    expect(await first).toBe('ok');
    expect(scheduler.stats().rejected).toBe(1);
  });

  it('rejects when the estimated queued work is over the time budget', async () => {
    const scheduler = createOnDemandScheduler({ maxQueued: 100, budgetMs: 25, initialEstimateMs: 10 });
    const ok = [scheduler.run('X', '1', () => 1), scheduler.run('X', '2', () => 2)];
    await expect(scheduler.run('X', '3', () => 3), '30 ms of estimated work > 25 ms').rejects.toBeInstanceOf(OnDemandBusyError);
    expect(await Promise.all(ok)).toEqual([1, 2]);
  });
});
