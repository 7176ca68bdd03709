/**
 * Subscription fan-out over real connections: server CPU per delivered message and publish → receive
 * latency (p50/p99) with 1 k, 4 k and 10 k graphql-ws connections, one `fundingUpdated` subscription
 * each (every one its own UUID operation id, as graphql-ws clients send), against a raw `ws` broadcast
 * in the same run over the same number of connections that serialises once (one JSON.stringify, one
 * Buffer, the same bytes written to every socket).
 *
 * The server (perpgraph's HTTP server with graphql-ws, and the raw `ws` server) runs in this process
 * pinned to core 0 (`taskset`); all clients run in one child process pinned to core 1. CPU is
 * process.cpuUsage of the server process over the measured publishes, divided by messages delivered.
 * Latency: the client's receive time minus the event's `asOf` (set at publish; one clock).
 * Also measured: the server's core share with the connections open and no events (graphql-ws keep-alive
 * pings, WS_KEEPALIVE_MS; the raw baseline has none), and the ratio with that idle cost taken out.
 * Each size is measured BENCH_ROUNDS times (default 3; raw and graphql-ws alternate which goes first)
 * and the medians are printed. The per-IP connection limit is raised by configuration for the bench;
 * clients spread over loopback source addresses 127.0.0.1–127.0.0.8 so ephemeral ports do not run out.
 * Needs `ulimit -n` above the largest size + ~200: the bench re-executes itself with the hard limit
 * (`ulimit -n $(ulimit -Hn)`) and refuses to start when that is too low.
 *
 *   npm run bench:fanout     (env: BENCH_SIZES=1000,4000,10000 BENCH_ROUNDS=3 BENCH_PUBLISHES=10
 *                             BENCH_CPU_PROF=dir to write a --cpu-prof of the server, with the
 *                             measured windows' timestamps printed; BENCH_DEBUG=1 idle shares)
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createPubSub } from 'graphql-yoga';
import WebSocket, { WebSocketServer } from 'ws';
import type { AppServices } from '../src/context.js';
import { fundingRecord } from '../tests/support/records.js';
import { createLogger } from '../src/logger.js';
import type { Topics } from '../src/pubsub.js';
import { createHttpServer } from '../src/server.js';

type Mode = 'gws' | 'raw';
type FromChild = { cmd: 'opened' } | { cmd: 'reached' } | { cmd: 'report'; latencies: number[] } | { cmd: 'closed' };
type ToChild =
  | { cmd: 'open'; url: string; connections: number; mode: Mode; query: string }
  | { cmd: 'expect'; total: number }
  | { cmd: 'report' }
  | { cmd: 'close' };

const QUERY = 'subscription { fundingUpdated(symbol: "BTCUSDT") { symbol rate predictedRate meta { asOf ageMs stale source venue methodologyVersion } } }';
const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);
const sizes = (process.env.BENCH_SIZES ?? '1000,4000,10000').split(',').map(Number);

const role = process.argv[2];
if (role === 'client') runClient();
else if (role === 'server') await runServer();
else relaunch();

/** Re-executes this script as the server, with the hard file-descriptor limit and pinned to core 0. */
function relaunch(): void {
  const script = process.argv[1]!;
  const prof = process.env.BENCH_CPU_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const args = [...process.execArgv, ...prof, script, 'server'];
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec taskset -c 0 "$@"', 'sh', process.execPath, ...args], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function fdLimit(): number {
  return Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
}

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
  const fail = (what: string) => {
    console.error(`client: ${what}`);
    process.exit(1);
  };
  process.on('message', (msg: ToChild) => {
    if (msg.cmd === 'open') {
      // Connect at most 256 at a time (the listen backlog), each from one of the loopback addresses.
      let started = 0;
      let ready = 0;
      const openOne = () => {
        const i = started++;
        const ws = new WebSocket(msg.url, msg.mode === 'gws' ? 'graphql-transport-ws' : undefined, {
          localAddress: SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length],
          perMessageDeflate: false,
        });
        sockets.push(ws);
        const done = () => {
          ready += 1;
          if (ready === msg.connections) send({ cmd: 'opened' });
          else if (started < msg.connections) openOne();
        };
        ws.on('open', () => {
          if (msg.mode === 'raw') return done();
          ws.send('{"type":"connection_init"}');
        });
        ws.on('message', (data) => {
          if (msg.mode === 'gws' && data.toString() === '{"type":"connection_ack"}') {
            ws.send(JSON.stringify({ id: randomUUID(), type: 'subscribe', payload: { query: msg.query } }));
            return done();
          }
          onData(data);
        });
        ws.on('unexpected-response', (_req, res) => fail(`upgrade refused with HTTP ${res.statusCode}`));
        ws.on('error', (error) => fail(`socket error ${error.message}`));
      };
      for (let k = 0; k < Math.min(256, msg.connections); k += 1) openOne();
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
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const publishes = Number(process.env.BENCH_PUBLISHES ?? 10);
  const largest = Math.max(...sizes);
  const limit = fdLimit();
  if (limit < largest + 200) {
    console.error(`bench:fanout needs ulimit -n ≥ ${largest + 200} (have ${limit}); raise the hard limit or lower BENCH_SIZES`);
    process.exit(1);
  }
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
    // The bench's clients all come from loopback: raise the per-IP limit (WS_MAX_CONNECTIONS_PER_IP) for it.
    subscriptions: { maxPerConnection: 100, maxConnectionsPerIp: largest, maxBufferedBytes: 1_048_576 },
  });
  const port = await http.listen(0, '127.0.0.1');
  const raw = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise<void>((resolve) => raw.once('listening', () => resolve()));
  const rawPort = (raw.address() as { port: number }).port;

  const child: ChildProcess = spawn(
    'sh',
    ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec taskset -c 1 "$@"', 'sh', process.execPath, ...process.execArgv.filter((a) => !a.startsWith('--cpu-prof')), process.argv[1]!, 'client'],
    { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] },
  );
  const ask = (msg: ToChild, reply: FromChild['cmd'], timeoutMs = 120_000) =>
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

  const rawId = randomUUID(); // same length as the clients' graphql-ws ids, so the bytes per message match
  const publish = (mode: Mode) => {
    const r = fundingRecord(Date.now());
    if (mode === 'gws') return pubsub.publish('analysis:updated', 'FUNDING:BTCUSDT', r);
    // The baseline: serialise once (meta included), one Buffer, the same bytes to every socket.
    const payload = {
      data: {
        fundingUpdated: {
          ...(r.result as object),
          meta: { asOf: new Date(r.asOf).toISOString(), ageMs: 0, stale: false, source: r.source, venue: r.venue, methodologyVersion: r.methodologyVersion },
        },
      },
    };
    const bytes = Buffer.from(`{"id":"${rawId}","type":"next","payload":${JSON.stringify(payload)}}`);
    for (const ws of raw.clients) ws.send(bytes);
  };
  const waitFor = async (condition: () => boolean, what: string) => {
    const deadline = Date.now() + 120_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  async function measure(mode: Mode, n: number) {
    const url = mode === 'gws' ? `ws://127.0.0.1:${port}/graphql` : `ws://127.0.0.1:${rawPort}`;
    await ask({ cmd: 'open', url, connections: n, mode, query: QUERY }, 'opened');
    await waitFor(() => (mode === 'gws' ? http.subscriptionStats().subscribers >= n : raw.clients.size >= n), `${mode}: ${n} subscribers attached`);
    // Two warm-up events, not measured.
    for (let w = 1; w <= 2; w += 1) {
      void publish(mode);
      await ask({ cmd: 'expect', total: n * w }, 'reached');
    }
    await ask({ cmd: 'report' }, 'report');
    // The connections' own cost with no events (graphql-ws keep-alive pings, timers, GC), over 1 s.
    const shares: number[] = [];
    for (let k = 0; k < 2; k += 1) {
      const idle0 = process.cpuUsage();
      const idleT0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const idleCpu = process.cpuUsage(idle0);
      shares.push((idleCpu.user + idleCpu.system) / 1_000 / (performance.now() - idleT0));
    }
    if (process.env.BENCH_DEBUG) console.log(`  idle ${mode} ${n} (until ${process.hrtime.bigint() / 1000n} µs): ${shares.map((x) => x.toFixed(3)).join(' ')}`);
    const idleShare = shares.at(-1)!;
    const t0 = process.hrtime.bigint() / 1000n;
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let r = 1; r <= publishes; r += 1) {
      void publish(mode);
      await ask({ cmd: 'expect', total: n * r }, 'reached');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    if (process.env.BENCH_CPU_PROF) console.log(`  (profile window ${mode} ${n}: ${t0}-${process.hrtime.bigint() / 1000n} µs)`);
    const { latencies } = (await ask({ cmd: 'report' }, 'report')) as { latencies: number[] };
    const heapMb = process.memoryUsage().heapUsed / 1_048_576;
    await ask({ cmd: 'close' }, 'closed');
    await waitFor(() => (mode === 'gws' ? http.subscriptionStats().subscribers === 0 : raw.clients.size === 0), `${mode}: sockets closed`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sorted = latencies.sort((a, b) => a - b);
    const cpuUs = cpu.user + cpu.system;
    // The same CPU less what the connections cost with no events over the window (keep-alive pings).
    const exIdle = Math.max(0, cpuUs - idleShare * wallMs * 1_000) / (n * publishes);
    return { usPerMsg: cpuUs / (n * publishes), exIdle, p50: pct(sorted, 50), p99: pct(sorted, 99), idleShare, heapMb };
  }

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const load = () => execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' ');
  console.log(`fan-out over real connections: ${publishes} publishes per measurement, ${rounds} rounds, server on core 0, clients on core 1, load ${load()}`);
  const results = new Map<number, { raw: Awaited<ReturnType<typeof measure>>[]; gws: Awaited<ReturnType<typeof measure>>[] }>();
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const n of sizes) {
        const order: Mode[] = round % 2 === 0 ? ['raw', 'gws'] : ['gws', 'raw'];
        const entry = results.get(n) ?? { raw: [], gws: [] };
        results.set(n, entry);
        const got: Partial<Record<Mode, Awaited<ReturnType<typeof measure>>>> = {};
        for (const mode of order) got[mode] = await measure(mode, n);
        entry.raw.push(got.raw!);
        entry.gws.push(got.gws!);
        console.log(
          `  round ${round + 1} · ${n} connections: raw ${got.raw!.usPerMsg.toFixed(2)} µs/msg ${got.raw!.p50}/${got.raw!.p99} ms · graphql-ws ${got.gws!.usPerMsg.toFixed(2)} µs/msg ${got.gws!.p50}/${got.gws!.p99} ms · ratio ${(got.gws!.usPerMsg / got.raw!.usPerMsg).toFixed(2)}× (${(got.gws!.exIdle / got.raw!.exIdle).toFixed(2)}× less idle cost) · idle core share raw ${got.raw!.idleShare.toFixed(3)} gws ${got.gws!.idleShare.toFixed(3)} · heap raw ${got.raw!.heapMb.toFixed(0)} gws ${got.gws!.heapMb.toFixed(0)} MB`,
        );
      }
    }
    const stats = http.subscriptionStats();
    console.log(`medians of ${rounds} rounds (load ${load()}; executions ${stats.executions}, delivered ${stats.delivered}, dropped ${stats.dropped}):`);
    console.log('connections | raw µs/msg | graphql-ws µs/msg | ratio (median of per-round ratios) | ratio less idle cost (keep-alive) | idle core share gws | raw p50/p99 ms | graphql-ws p50/p99 ms');
    for (const [n, { raw: r, gws: g }] of results) {
      const m = (xs: { usPerMsg: number; p50: number; p99: number }[], k: 'usPerMsg' | 'p50' | 'p99') => median(xs.map((x) => x[k]));
      const ratio = median(g.map((x, i) => x.usPerMsg / r[i]!.usPerMsg));
      const ratioExIdle = median(g.map((x, i) => x.exIdle / r[i]!.exIdle));
      console.log(
        `${n} | ${m(r, 'usPerMsg').toFixed(2)} | ${m(g, 'usPerMsg').toFixed(2)} | ${ratio.toFixed(2)}× | ${ratioExIdle.toFixed(2)}× | ${median(g.map((x) => x.idleShare)).toFixed(3)} | ${m(r, 'p50')}/${m(r, 'p99')} | ${m(g, 'p50')}/${m(g, 'p99')}`,
      );
    }
  } finally {
    child.kill();
    raw.close();
    await http.close();
  }
  process.exit(0);
}
