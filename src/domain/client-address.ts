import { BlockList, isIP } from 'node:net';

/**
 * Which proxies in front of the server may tell it the client's address (TRUST_PROXY):
 * - `none`: the socket's peer address is the client (default; X-Forwarded-For is ignored);
 * - `hops`: the nearest `hops` hops (the peer and the addresses it appended) are proxies, whatever
 *   their address: the client is the entry `hops` places from the right of [X-Forwarded-For…, peer];
 * - `list`: only peers (and forwarded hops) whose address is in these IPs/CIDRs are proxies: the client
 *   is the first address, walking X-Forwarded-For from the right, that is not in the list.
 */
export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'list'; list: BlockList; text: string };

export const TRUST_NONE: TrustProxy = { kind: 'none' };

/** Named address ranges accepted in a TRUST_PROXY list. */
const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
};

/**
 * Parses TRUST_PROXY: `false`/`0`/empty (none), a hop count `1`…`16`, or a comma-separated list of IPs
 * and CIDRs (IPv4 or IPv6) and the names `loopback`, `private`, `linklocal`. Throws with a readable
 * message otherwise.
 */
export function parseTrustProxy(text: string): TrustProxy {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '' || trimmed === 'false' || trimmed === '0' || trimmed === 'no') return TRUST_NONE;
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    if (hops > 16) throw new Error('a hop count must be 1-16');
    return { kind: 'hops', hops };
  }
  const list = new BlockList();
  for (const raw of trimmed.split(',').map((s) => s.trim()).filter(Boolean)) {
    for (const entry of NAMED[raw] ?? [raw]) {
      const [address, prefixText, extra] = entry.split('/');
      const family = isIP(address ?? '');
      if (!address || family === 0 || extra !== undefined) {
        throw new Error(`"${raw}" is not an IP address, a CIDR (10.0.0.0/8, fd00::/8), a hop count or one of ${Object.keys(NAMED).join(', ')}`);
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefixText === undefined) {
        list.addAddress(address, type);
        continue;
      }
      const prefix = /^\d+$/.test(prefixText) ? Number(prefixText) : NaN;
      if (!(prefix >= 0 && prefix <= (family === 4 ? 32 : 128))) throw new Error(`"${raw}": the prefix length must be 0-${family === 4 ? 32 : 128}`);
      list.addSubnet(address, prefix, type);
    }
  }
  return { kind: 'list', list, text: trimmed };
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; `[::1]` and `1.2.3.4:5678` (as some proxies write them) → the bare address. */
export function normaliseAddress(raw: string): string {
  let address = raw.trim();
  if (address.startsWith('[')) address = address.slice(1, address.indexOf(']') > 0 ? address.indexOf(']') : undefined);
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1]! : address.toLowerCase();
}

function trusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** What `clientAddress` reads of a request: a node:http IncomingMessage fits, without the domain layer importing it. */
export interface AddressedRequest {
  readonly headers: { readonly [name: string]: string | string[] | undefined };
  readonly socket: { readonly remoteAddress?: string | undefined };
}

/**
 * The client address a request counts against (per-IP limits): the socket's peer, or with a trusted
 * proxy the address that proxy reported in X-Forwarded-For (see `TrustProxy`). X-Forwarded-For from a
 * peer that is not a trusted proxy is ignored, so clients cannot pick their own address.
 */
export function clientAddress(req: AddressedRequest, trust: TrustProxy): string {
  const peer = normaliseAddress(req.socket.remoteAddress ?? '');
  if (trust.kind === 'none') return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map(normaliseAddress)
    .filter(Boolean);
  // Nearest first: the peer, then what each proxy appended, right to left.
  const hops = [peer, ...forwarded.reverse()];
  if (trust.kind === 'hops') return hops[Math.min(trust.hops, hops.length - 1)]!;
  let i = 0;
  while (i < hops.length - 1 && trusted(trust.list, hops[i]!)) i += 1;
  return hops[i]!;
}
