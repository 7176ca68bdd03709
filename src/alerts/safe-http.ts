import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';

/**
 * Outbound HTTP to user-chosen URLs (alert webhooks), guarded against SSRF:
 * - only http/https, no credentials in the URL;
 * - the host is resolved before each delivery and every address must be public unicast (ipaddr.js
 *   `range() === 'unicast'`: loopback, RFC 1918, link-local incl. 169.254.169.254, CGNAT, multicast,
 *   unspecified, broadcast, reserved, unique-local, NAT64/6to4/Teredo and IPv4-mapped IPv6 of a private
 *   IPv4 are refused) unless `allowPrivate` (ALERTS_ALLOW_PRIVATE_TARGETS) is set;
 * - the socket connects to the address that was checked (an undici Agent whose `connect.lookup` returns
 *   it), so a DNS answer that changes between the check and the connect (rebinding) is never used;
 * - redirects are not followed (undici's `request` has no redirect handling; a 3xx is reported as is);
 * - a total timeout and a cap on the response bytes read.
 */

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: Resolver = async (hostname) => (await dnsLookup(hostname, { all: true, verbatim: true })) as LookupAddress[];

export class TargetRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

/** Parses and checks the shape of a target URL (scheme, no credentials); throws TargetRefusedError. */
export function validateTargetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefusedError('not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefusedError(`scheme ${url.protocol} is not allowed (http or https only)`);
  if (url.username !== '' || url.password !== '') throw new TargetRefusedError('credentials in the URL are not allowed');
  if (url.hostname === '') throw new TargetRefusedError('the URL has no host');
  return url;
}

/** The ipaddr.js range of an address, IPv4-mapped IPv6 judged as the IPv4 it maps. */
export function addressRange(address: string): string {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range();
}

export const isPublicAddress = (address: string): boolean => addressRange(address) === 'unicast';

function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Resolves the URL's host and checks every address; returns the one to connect to. */
export async function resolveTarget(url: URL, options: { resolver?: Resolver; allowPrivate?: boolean } = {}): Promise<{ address: string; family: 4 | 6 }> {
  const host = bareHost(url);
  let addresses: Array<{ address: string; family: number }>;
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = await (options.resolver ?? systemResolver)(host);
    } catch (error) {
      throw new TargetRefusedError(`cannot resolve ${host}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (addresses.length === 0) throw new TargetRefusedError(`${host} resolves to no address`);
  if (!options.allowPrivate) {
    for (const { address } of addresses) {
      const range = addressRange(address);
      if (range !== 'unicast') throw new TargetRefusedError(`${host} resolves to ${address} (${range}), which is not a public address (set ALERTS_ALLOW_PRIVATE_TARGETS=true to allow)`);
    }
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

export interface SafePostOptions {
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  resolver?: Resolver;
  allowPrivate?: boolean;
}

export interface SafeResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  truncated: boolean;
  /** The address the request was sent to (after the check). */
  address: string;
}

/** POSTs `body` to `rawUrl` under the guards above. Throws TargetRefusedError or a network error. */
export async function safePost(rawUrl: string, options: SafePostOptions): Promise<SafeResponse> {
  const url = validateTargetUrl(rawUrl);
  const target = await resolveTarget(url, options);
  const agent = new Agent({
    connect: {
      timeout: options.timeoutMs,
      // Node calls lookup with { all: true } when autoSelectFamily is on (the default from Node 20).
      lookup: ((_host: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
        if (opts?.all) callback(null, [{ address: target.address, family: target.family }]);
        else callback(null, target.address, target.family);
      }) as never,
    },
    pipelining: 0,
  });
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await request(url, {
      method: 'POST',
      body: options.body,
      headers: options.headers,
      dispatcher: agent,
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      const room = options.maxResponseBytes - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, Math.max(0, room)));
        truncated = true;
        response.body.destroy();
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
    return { statusCode: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), truncated, address: target.address };
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

/** Retry-After as seconds or an HTTP date → milliseconds from now; undefined when absent or malformed. */
export function retryAfterHeaderMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Shared outcome rules: 2xx ok; 408, 425, 429 and 5xx retried; 3xx (not followed) and other 4xx permanent. */
export function classifyStatus(statusCode: number): { ok: boolean; permanent: boolean } {
  if (statusCode >= 200 && statusCode < 300) return { ok: true, permanent: false };
  if (statusCode === 408 || statusCode === 425 || statusCode === 429 || statusCode >= 500) return { ok: false, permanent: false };
  return { ok: false, permanent: true };
}
