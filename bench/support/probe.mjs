// Preload for bench/idle.ts and bench/soak.ts (`node --import ./bench/support/probe.mjs …` with an IPC
// channel): every PROBE_MS the process reports its own CPU time, memory and event-loop delay to the parent,
// measured from inside (process.cpuUsage / memoryUsage, perf_hooks' histogram reset per sample), and on
// the message 'gc' collects garbage first (needs --expose-gc), on {heapSnapshot: path} writes a heap snapshot.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';

if (process.send) {
  const every = Number(process.env.PROBE_MS ?? 5_000);
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  let cpu = process.cpuUsage();
  let wall = performance.now();
  const sample = (kind) => {
    const used = process.cpuUsage(cpu);
    const now = performance.now();
    const m = process.memoryUsage();
    const report = {
      probe: kind,
      cpuShare: (used.user + used.system) / 1000 / (now - wall),
      rssMb: m.rss / 2 ** 20,
      heapMb: m.heapUsed / 2 ** 20,
      heapTotalMb: m.heapTotal / 2 ** 20,
      externalMb: m.external / 2 ** 20,
      arrayBuffersMb: m.arrayBuffers / 2 ** 20,
      eldP99Ms: eld.count ? eld.percentile(99) / 1e6 : 0,
      eldMaxMs: eld.count ? eld.max / 1e6 : 0,
    };
    cpu = process.cpuUsage();
    wall = now;
    eld.reset();
    process.send?.(report);
  };
  setInterval(() => sample('tick'), every).unref();
  process.on('message', (msg) => {
    // 'mark' (sent when the target printed its ready line): close the current window there, so the
    // windows after it measure the running server only, not module loading and the start-up before ready.
    if (msg === 'mark') sample('mark');
    else if (msg === 'gc' && typeof globalThis.gc === 'function') {
      globalThis.gc();
      process.send?.({ probe: 'gc', heapMb: process.memoryUsage().heapUsed / 2 ** 20, rssMb: process.memoryUsage().rss / 2 ** 20 });
    } else if (msg && typeof msg === 'object' && typeof msg.heapSnapshot === 'string') {
      process.send?.({ probe: 'heapSnapshot', path: writeHeapSnapshot(msg.heapSnapshot) });
    }
  });
  // The IPC channel must not keep a server alive that would otherwise exit.
  process.channel?.unref();
}
