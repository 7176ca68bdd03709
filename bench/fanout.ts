/**
 * Subscription fan-out: server CPU per delivered message and publish → receive latency (p50/p99) with
 * 1 k, 4 k and 10 k graphql-ws subscribers of one `fundingUpdated` document, against a raw `ws`
 * broadcast in the same run that serialises once (one JSON.stringify and one Buffer per event, the same
 * bytes written to every subscriber) over the same number of sockets and messages.
 *
 * Subscribers share sockets (100–200 sockets, up to 50 subscriptions each) so the run stays within
 * file-descriptor limits; they live in a child process so the server's CPU (process.cpuUsage of this
 * process) is measured apart from the clients'. Bounded: BENCH_ROUNDS publishes per size (default 10).
 *
 *   npm run bench:fanout        (env: BENCH_SIZES=1000,4000,10000 BENCH_ROUNDS=10)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createPubSub } from 'graphql-yoga';
import WebSocket, { WebSocketServer } from 'ws';
import type { AppServices } from '../src/context.js';
import type { AnalysisRecord } from '../src/domain/analysis.js';
import { createLogger } from '../src/logger.js';
import type { Topics } from '../src/pubsub.js';
import { createHttpServer } from '../src/server.js';

type Mode = 'gws' | 'raw';
type FromChild = { cmd: 'opened' } | { cmd: 'reached' } | { cmd: 'report'; latencies: number[] } | { cmd: 'closed' };
type ToChild =
  | { cmd: 'open'; url: string; sockets: number; perSocket: number; mode: Mode; query: string }
  | { cmd: 'expect'; total: number }
  | { cmd: 'report' }
  | { cmd: 'close' };

const QUERY = 'subscription { fundingUpdated(symbol: "BTCUSDT") { symbol rate predictedRate meta { asOf ageMs stale source venue methodologyVersion } } }';

if (process.argv[2] === 'client') runClient();
else await runServer();

function runClient(): void {
  let sockets: WebSocket[] = [];
  let received = 0;
  let target = Infinity;
  let latencies: number[] = [];
  const send = (msg: FromChild) => process.send!(msg);
  const onData = (data: WebSocket.RawData) => {
    const text = data.toString();
    const at = text.indexOf('"asOf":"');
    if (at < 0) return;
    latencies.push(Date.now() - Date.parse(text.slice(at + 8, at + 32)));
    received += 1;
    if (received >= target) {
      target = Infinity;
      send({ cmd: 'reached' });
    }
  };
  process.on('message', (msg: ToChild) => {
    if (msg.cmd === 'open') {
      let ready = 0;
      sockets = Array.from({ length: msg.sockets }, () => {
        const ws = new WebSocket(msg.url, msg.mode === 'gws' ? 'graphql-transport-ws' : undefined);
        const done = () => {
          ready += 1;
          if (ready === msg.sockets) send({ cmd: 'opened' });
        };
        ws.on('open', () => {
          if (msg.mode === 'raw') return done();
          ws.send(JSON.stringify({ type: 'connection_init' }));
        });
        ws.on('message', (data) => {
          if (msg.mode === 'gws' && data.toString() === '{"type":"connection_ack"}') {
            for (let i = 0; i < msg.perSocket; i += 1) ws.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: msg.query } }));
            return done();
          }
          onData(data);
        });
        ws.on('error', (error) => {
          console.error('client socket error', error.message);
          process.exit(1);
        });
        return ws;
      });
    } else if (msg.cmd === 'expect') {
      target = msg.total;
      if (received >= target) {
        target = Infinity;
        send({ cmd: 'reached' });
      }
    } else if (msg.cmd === 'report') {
      send({ cmd: 'report', latencies });
      latencies = [];
      received = 0;
    } else if (msg.cmd === 'close') {
      for (const ws of sockets) ws.terminate();
      sockets = [];
      send({ cmd: 'closed' });
    }
  });
}

async function runServer(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES ?? '1000,4000,10000').split(',').map(Number);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
  const pubsub = createPubSub<Topics>();
  const services = {
    pubsub,
    now: Date.now,
    staleAfterMs: 30_000,
    hasSymbol: (s: string) => s === 'BTCUSDT',
    symbols: () => [{ symbol: 'BTCUSDT' }],
    latest: async () => undefined,
  } as unknown as AppServices;
  const http = createHttpServer({
    services,
    logger: createLogger('warn'),
    graphiql: false,
    health: async () => ({ ready: true }) as never,
    subscriptions: { maxPerConnection: 1_000, maxConnectionsPerIp: 10_000, maxBufferedBytes: 16 * 1_048_576 },
  });
  const port = await http.listen(0, '127.0.0.1');
  const raw = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => raw.once('listening', () => resolve()));
  const rawPort = (raw.address() as { port: number }).port;

  const child: ChildProcess = fork(process.argv[1]!, ['client'], { execArgv: process.execArgv, stdio: 'inherit' });
  const ask = (msg: ToChild, reply: FromChild['cmd'], timeoutMs = 60_000) =>
    new Promise<FromChild>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${reply} from the client within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m: FromChild) => {
        if (m.cmd !== reply) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      child.send(msg);
    });

  let perSocketRaw = 0;
  const record = (asOf: number): AnalysisRecord => ({
    kind: 'FUNDING',
    symbol: 'BTCUSDT',
    result: { symbol: 'BTCUSDT', rate: 0.0001, predictedRate: 0.00012 },
    asOf,
    computedAt: asOf,
    methodologyVersion: 'funding/1.1.0',
    source: 'SIMULATED',
    venue: 'simulated',
  });
  const publish = (mode: Mode) => {
    const r = record(Date.now());
    if (mode === 'gws') return pubsub.publish('analysis:updated', 'FUNDING:BTCUSDT', r);
    // The baseline: serialise once (meta included), one Buffer, the same bytes to every subscriber.
    const payload = {
      data: {
        fundingUpdated: {
          ...(r.result as object),
          meta: { asOf: new Date(r.asOf).toISOString(), ageMs: 0, stale: false, source: r.source, venue: r.venue, methodologyVersion: r.methodologyVersion },
        },
      },
    };
    const bytes = Buffer.from(`{"id":"0","type":"next","payload":${JSON.stringify(payload)}}`);
    for (const ws of raw.clients) for (let i = 0; i < perSocketRaw; i += 1) ws.send(bytes);
  };

  const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  async function measure(mode: Mode, n: number) {
    const sockets = n <= 1_000 ? 100 : 200;
    const perSocket = n / sockets;
    perSocketRaw = perSocket;
    const url = mode === 'gws' ? `ws://127.0.0.1:${port}/graphql` : `ws://127.0.0.1:${rawPort}`;
    await ask({ cmd: 'open', url, sockets, perSocket, mode, query: QUERY }, 'opened');
    const deadline = Date.now() + 60_000;
    while (mode === 'gws' ? http.subscriptionStats().subscribers < n : raw.clients.size < sockets) {
      if (Date.now() > deadline) throw new Error(`${mode}: subscribers did not attach`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Two warm-up events, not measured.
    for (let w = 1; w <= 2; w += 1) {
      void publish(mode);
      await ask({ cmd: 'expect', total: n * w }, 'reached');
    }
    await ask({ cmd: 'report' }, 'report');
    const cpu0 = process.cpuUsage();
    for (let r = 1; r <= rounds; r += 1) {
      void publish(mode);
      await ask({ cmd: 'expect', total: n * r }, 'reached');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const cpu = process.cpuUsage(cpu0);
    const { latencies } = (await ask({ cmd: 'report' }, 'report')) as { latencies: number[] };
    await ask({ cmd: 'close' }, 'closed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sorted = latencies.sort((a, b) => a - b);
    return { usPerMsg: (cpu.user + cpu.system) / (n * rounds), p50: pct(sorted, 50), p99: pct(sorted, 99), sockets, perSocket };
  }

  console.log(`fan-out: ${rounds} publishes per size, subscribers in a child process; CPU = this (server) process only`);
  console.log('subscribers | sockets×subs | raw µs/msg | graphql-ws µs/msg | ratio | raw p50/p99 ms | graphql-ws p50/p99 ms');
  try {
    for (const n of sizes) {
      const base = await measure('raw', n);
      const gws = await measure('gws', n);
      const stats = http.subscriptionStats();
      console.log(
        `${n} | ${gws.sockets}×${gws.perSocket} | ${base.usPerMsg.toFixed(1)} | ${gws.usPerMsg.toFixed(1)} | ${(gws.usPerMsg / base.usPerMsg).toFixed(2)}× | ${base.p50}/${base.p99} | ${gws.p50}/${gws.p99}` +
          ` (executions so far: ${stats.executions}, dropped: ${stats.dropped})`,
      );
    }
  } finally {
    child.kill();
    raw.close();
    await http.close();
  }
}
