import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { verifyWebhookSignature } from '../../src/alerts/webhook.js';

/**
 * Fake alert receivers speaking the real formats and failure modes: a generic signed-webhook receiver that
 * verifies X-Perpgraph-Signature, Discord's Execute Webhook (embeds, 429 with JSON `retry_after` seconds and
 * X-RateLimit-Reset-After) and Telegram's Bot API sendMessage (token in the path, MarkdownV2 parsed the way
 * the real API refuses unescaped reserved characters, 429 with `parameters.retry_after`).
 * Faults are queued and each consumed by one request: 429, 500, slow, reset (the socket is destroyed with
 * no answer), redirect (a 302 to `location`).
 */

export type ReceiverFault =
  | { kind: '429'; retryAfterSec: number }
  | { kind: '500' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'reset' }
  | { kind: 'redirect'; location: string };

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
  /** Status answered (0 for a reset). */
  status: number;
}

export interface FakeReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Requests answered 2xx. */
  accepted: ReceivedRequest[];
  faults: ReceiverFault[];
  /** Stops listening (connections refused) until `resume()` on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
  /** Resolves once `n` requests were accepted (2xx), rejects after `timeoutMs`. */
  waitForAccepted(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
}

type Handler = (req: ReceivedRequest) => { status: number; json: unknown; headers?: Record<string, string> };

async function startReceiver(handle: Handler, port = 0): Promise<FakeReceiver> {
  const requests: ReceivedRequest[] = [];
  const accepted: ReceivedRequest[] = [];
  const faults: ReceiverFault[] = [];
  const sockets = new Set<Socket>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let server: Server;
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), status: 0 };
      requests.push(received);
      const fault = faults.shift();
      const answer = () => {
        if (fault?.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        let out: { status: number; json: unknown; headers?: Record<string, string> };
        if (fault?.kind === 'redirect') out = { status: 302, json: {}, headers: { location: fault.location } };
        else if (fault?.kind === '500') out = { status: 500, json: { message: 'Internal Server Error' } };
        else if (fault?.kind === '429') out = rateLimited(received.path, fault.retryAfterSec);
        else out = handle(received);
        received.status = out.status;
        res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
        res.end(JSON.stringify(out.json));
        if (out.status >= 200 && out.status < 300) {
          accepted.push(received);
          for (const w of [...waiters]) if (accepted.length >= w.n) w.resolve();
        }
      };
      if (fault?.kind === 'slow') setTimeout(answerNormally, fault.delayMs);
      else answer();
      function answerNormally() {
        const out = handle(received);
        received.status = out.status;
        if (res.destroyed) return;
        res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
        res.end(JSON.stringify(out.json));
        if (out.status >= 200 && out.status < 300) {
          accepted.push(received);
          for (const w of [...waiters]) if (accepted.length >= w.n) w.resolve();
        }
      }
    });
  };
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server = createServer(serve);
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve());
    });
  await listen(port);
  const bound = (server!.address() as AddressInfo).port;
  const shut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    accepted,
    faults,
    pause: shut,
    resume: () => listen(bound),
    close: shut,
    waitForAccepted(n, timeoutMs = 15_000) {
      if (accepted.length >= n) return Promise.resolve(accepted);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${accepted.length} of ${n} requests accepted within ${timeoutMs} ms (${requests.length} received)`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve(accepted);
          },
        });
      });
    },
  };
}

/** 429 bodies per receiver flavour (the path tells which one is asked). */
function rateLimited(path: string, retryAfterSec: number): { status: number; json: unknown; headers: Record<string, string> } {
  if (path.startsWith('/bot')) {
    return { status: 429, json: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfterSec}`, parameters: { retry_after: retryAfterSec } }, headers: {} };
  }
  if (path.startsWith('/api/webhooks/')) {
    // Discord: JSON body in seconds (float), plus the bucket headers.
    return {
      status: 429,
      json: { message: 'You are being rate limited.', retry_after: retryAfterSec, global: false },
      headers: { 'retry-after': String(Math.ceil(retryAfterSec)), 'x-ratelimit-reset-after': String(retryAfterSec), 'x-ratelimit-remaining': '0', 'x-ratelimit-scope': 'shared' },
    };
  }
  return { status: 429, json: { error: 'rate limited' }, headers: { 'retry-after': String(retryAfterSec) } };
}

/** Generic webhook receiver: 2xx only for a valid signature within the tolerance; 401 otherwise. */
export async function startWebhookReceiver(options: { secret: () => string | undefined; toleranceSec?: number }): Promise<FakeReceiver & { verified: ReceivedRequest[] }> {
  const verified: ReceivedRequest[] = [];
  const receiver = await startReceiver((req) => {
    const secret = options.secret();
    const ok =
      secret !== undefined &&
      verifyWebhookSignature({
        secret,
        timestamp: req.headers['x-perpgraph-timestamp'] as string | undefined,
        signature: req.headers['x-perpgraph-signature'] as string | undefined,
        body: req.body,
        nowSec: Math.floor(Date.now() / 1000),
        ...(options.toleranceSec === undefined ? {} : { toleranceSec: options.toleranceSec }),
      });
    if (!ok) return { status: 401, json: { error: 'bad signature' } };
    verified.push(req);
    return { status: 200, json: { received: true } };
  });
  return Object.assign(receiver, { verified });
}

/** Discord Execute Webhook: `POST /api/webhooks/<id>/<token>?wait=true`; checks the embed limits like Discord's 400. */
export async function startFakeDiscord(): Promise<FakeReceiver> {
  return startReceiver((req) => {
    const match = /^\/api\/webhooks\/(\d+)\/([A-Za-z0-9_-]+)(\?.*)?$/.exec(req.path);
    if (!match) return { status: 404, json: { message: 'Unknown Webhook', code: 10015 } };
    let body: { content?: string; embeds?: Array<{ title?: string; description?: string; fields?: Array<{ name: string; value: string }>; footer?: { text: string } }> };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return { status: 400, json: { message: 'The request body contains invalid JSON.', code: 50109 } };
    }
    const embeds = body.embeds ?? [];
    if (!body.content && embeds.length === 0) return { status: 400, json: { message: 'Cannot send an empty message', code: 50006 } };
    for (const e of embeds) {
      if ((e.title?.length ?? 0) > 256 || (e.description?.length ?? 0) > 4096 || (e.fields?.length ?? 0) > 25 || (e.footer?.text.length ?? 0) > 2048) {
        return { status: 400, json: { message: 'Invalid Form Body', code: 50035 } };
      }
      for (const f of e.fields ?? []) if (f.name.length === 0 || f.name.length > 256 || f.value.length === 0 || f.value.length > 1024) return { status: 400, json: { message: 'Invalid Form Body', code: 50035 } };
    }
    return { status: 200, json: { id: String(1_000_000 + Math.floor(Math.random() * 1e6)), type: 0, content: body.content ?? '', embeds, webhook_id: match[1] } };
  });
}

const RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));

/**
 * Telegram's MarkdownV2 parse as far as the alert messages use it: `\` escapes the next character, `*` and
 * `_` open and close bold/italic, every other reserved character must be escaped. Returns the API's error
 * description or null.
 */
export function markdownV2Error(text: string): string | null {
  const open: string[] = [];
  const bytes = (i: number) => Buffer.byteLength(text.slice(0, i));
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      i += 1;
      continue;
    }
    if (c === '*' || c === '_') {
      if (open.at(-1) === c) open.pop();
      else open.push(c);
      continue;
    }
    if (RESERVED.has(c)) return `Bad Request: can't parse entities: Character '${c}' is reserved and must be escaped with the preceding '\\'`;
  }
  if (open.length > 0) return `Bad Request: can't parse entities: Can't find end of ${open.at(-1) === '*' ? 'Bold' : 'Italic'} entity at byte offset ${bytes(text.length)}`;
  return null;
}

/** Telegram Bot API: `POST /bot<token>/sendMessage` answering like the real one. */
export async function startFakeTelegram(options: { token: string }): Promise<FakeReceiver & { messages: Array<{ chat_id: string; text: string; parse_mode?: string }> }> {
  const messages: Array<{ chat_id: string; text: string; parse_mode?: string }> = [];
  const receiver = await startReceiver((req) => {
    const match = /^\/bot([^/]+)\/sendMessage$/.exec(req.path);
    if (!match) return { status: 404, json: { ok: false, error_code: 404, description: 'Not Found' } };
    if (match[1] !== options.token) return { status: 401, json: { ok: false, error_code: 401, description: 'Unauthorized' } };
    const body = JSON.parse(req.body) as { chat_id: string; text: string; parse_mode?: string };
    if (!body.text) return { status: 400, json: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } };
    if (body.parse_mode === 'MarkdownV2') {
      const error = markdownV2Error(body.text);
      if (error) return { status: 400, json: { ok: false, error_code: 400, description: error } };
    }
    messages.push(body);
    return { status: 200, json: { ok: true, result: { message_id: messages.length, chat: { id: body.chat_id }, date: Math.floor(Date.now() / 1000), text: body.text } } };
  });
  return Object.assign(receiver, { messages });
}
