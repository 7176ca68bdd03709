// Load generator of bench/memory-soak.ts, run in its own process (so the server's memory is the server's):
// holds `sockets` graphql-ws connections with `subsPerSocket` subscriptions each and sends HTTP queries at
// `qps` per second, cycling through the queries it was given. The parent sends the plan over IPC
// ({ plan: { url, wsUrl, queries, subscriptions, qps, sockets, subsPerSocket } }) and gets a report every
// `reportMs` ({ report: { … } }); 'stop' closes everything and exits.
import WebSocket from 'ws';

const state = { sent: 0, ok: 0, errors: 0, latencies: [], messages: 0, messageBytes: 0, wsErrors: 0, wsCloses: 0, subscribed: 0 };
const sockets = new Set();
let timer;
let reporter;
let stopping = false;

function percentile(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function openSocket(plan, index) {
  const ws = new WebSocket(plan.wsUrl, 'graphql-transport-ws');
  sockets.add(ws);
  ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.type === 'connection_ack') {
      for (let j = 0; j < plan.subsPerSocket; j += 1) {
        const sub = plan.subscriptions[(index * plan.subsPerSocket + j) % plan.subscriptions.length];
        ws.send(JSON.stringify({ id: String(j), type: 'subscribe', payload: sub }));
        state.subscribed += 1;
      }
    } else if (msg.type === 'next') {
      state.messages += 1;
      state.messageBytes += data.length;
    } else if (msg.type === 'error') {
      state.wsErrors += 1;
    } else if (msg.type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong' }));
    }
  });
  ws.on('error', () => (state.wsErrors += 1));
  ws.on('close', () => {
    sockets.delete(ws);
    state.wsCloses += 1;
    // A socket the server closed is reopened after a second, so the subscription load stays constant.
    if (!stopping) setTimeout(() => openSocket(plan, index), 1_000).unref();
  });
}

async function query(plan, i) {
  const body = JSON.stringify(plan.queries[i % plan.queries.length]);
  const t0 = performance.now();
  state.sent += 1;
  try {
    const res = await fetch(plan.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = await res.json();
    if (res.ok && json.data) state.ok += 1;
    else state.errors += 1;
  } catch {
    state.errors += 1;
  }
  state.latencies.push(performance.now() - t0);
}

function report() {
  const sorted = state.latencies.sort((a, b) => a - b);
  process.send?.({
    report: {
      sent: state.sent,
      ok: state.ok,
      errors: state.errors,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      messages: state.messages,
      messageBytes: state.messageBytes,
      wsErrors: state.wsErrors,
      wsCloses: state.wsCloses,
      openSockets: sockets.size,
      subscribed: state.subscribed,
    },
  });
  Object.assign(state, { sent: 0, ok: 0, errors: 0, latencies: [], messages: 0, messageBytes: 0, wsErrors: 0, wsCloses: 0 });
}

process.on('message', (msg) => {
  if (msg === 'stop') {
    stopping = true;
    clearInterval(timer);
    clearInterval(reporter);
    for (const ws of sockets) ws.terminate();
    setTimeout(() => process.exit(0), 200);
    return;
  }
  if (msg && typeof msg === 'object' && msg.plan) {
    const plan = msg.plan;
    for (let s = 0; s < plan.sockets; s += 1) openSocket(plan, s);
    let i = 0;
    if (plan.qps > 0) timer = setInterval(() => void query(plan, i++), 1_000 / plan.qps);
    reporter = setInterval(report, plan.reportMs ?? 60_000);
    process.send?.({ started: true });
  }
});
process.on('disconnect', () => process.exit(0));
