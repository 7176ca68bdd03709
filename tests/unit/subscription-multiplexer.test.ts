import { describe, expect, it } from 'vitest';
import { Repeater } from '@repeaterjs/repeater';
import type { ExecutionResult } from 'graphql';
import { createSubscriptionMultiplexer, subscriptionKey } from '../../src/subscriptions/multiplexer.js';

function fakeSocket() {
  return { sent: [] as string[], bufferedAmount: 0, readyState: 1, send(data: Buffer, options: { binary: false }) { expect(options.binary).toBe(false); this.sent.push(data.toString()); } };
}

/** A source whose results the test pushes by hand, counting how often it is started. */
function source() {
  let push!: (value: ExecutionResult) => Promise<unknown>;
  let starts = 0;
  const start = () => {
    starts += 1;
    return new Repeater<ExecutionResult>(async (p, stop) => {
      push = p;
      await stop;
    });
  };
  return { start, push: (v: ExecutionResult) => push(v), starts: () => starts };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('createSubscriptionMultiplexer', () => {
  it('starts one source per key and writes the same payload to every member, prefixed with its id', async () => {
    const mux = createSubscriptionMultiplexer({ maxBufferedBytes: 1_000 });
    const src = source();
    const a = fakeSocket();
    const b = fakeSocket();
    const key = subscriptionKey('subscription { x }', null, { s: 1 });
    const iterators = await Promise.all([
      mux.join(key, { socket: a, id: '1' }, true, src.start),
      mux.join(key, { socket: b, id: 'z' }, true, src.start),
    ]);
    const pending = (iterators[0] as AsyncGenerator).next();
    await tick();
    await src.push({ data: { x: 1 } });
    await tick();
    expect(src.starts()).toBe(1);
    expect(a.sent).toEqual(['{"id":"1","type":"next","payload":{"data":{"x":1}}}']);
    expect(b.sent).toEqual(['{"id":"z","type":"next","payload":{"data":{"x":1}}}']);
    // A late joiner of a state subscription gets the latest payload at once.
    const c = fakeSocket();
    await mux.join(key, { socket: c, id: '9' }, true, src.start);
    expect(c.sent).toEqual(['{"id":"9","type":"next","payload":{"data":{"x":1}}}']);
    expect(mux.stats()).toMatchObject({ groups: 1, subscribers: 3, executions: 1, delivered: 3 });
    await (iterators[0] as AsyncGenerator).return(undefined);
    expect(await pending).toEqual({ done: true, value: undefined });
    mux.dispose();
  });

  it('keeps only the latest message for a congested socket and sends it once it drains', async () => {
    const mux = createSubscriptionMultiplexer({ maxBufferedBytes: 1_000, drainCheckMs: 5 });
    const src = source();
    const slow = fakeSocket();
    const fast = fakeSocket();
    await mux.join('k', { socket: slow, id: 's' }, false, src.start);
    await mux.join('k', { socket: fast, id: 'f' }, false, src.start);
    await tick();
    slow.bufferedAmount = 5_000;
    for (const x of [1, 2, 3]) await src.push({ data: { x } });
    await tick();
    expect(fast.sent, 'the fast socket gets every message').toHaveLength(3);
    expect(slow.sent, 'nothing is queued on the congested socket').toEqual([]);
    slow.bufferedAmount = 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(slow.sent, 'only the latest after draining').toEqual(['{"id":"s","type":"next","payload":{"data":{"x":3}}}']);
    expect(mux.stats().dropped).toBe(2);
    mux.dispose();
  });

  it('returns a non-stream result (e.g. errors) as is and starts a new group after the last member leaves', async () => {
    const mux = createSubscriptionMultiplexer({ maxBufferedBytes: 1_000 });
    const errors = { errors: [] } as ExecutionResult;
    expect(await mux.join('bad', { socket: fakeSocket(), id: '1' }, true, () => errors)).toBe(errors);
    const src = source();
    const first = (await mux.join('k', { socket: fakeSocket(), id: '1' }, true, src.start)) as AsyncGenerator;
    await first.return(undefined);
    await mux.join('k', { socket: fakeSocket(), id: '2' }, true, src.start);
    expect(src.starts(), 'the first group closed with its last member').toBe(2);
    expect(mux.stats()).toMatchObject({ groups: 1, subscribers: 1 });
    mux.dispose();
  });
});
