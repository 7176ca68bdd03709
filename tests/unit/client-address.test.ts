import { describe, expect, it } from 'vitest';
import { clientAddress, normaliseAddress, parseTrustProxy, TRUST_NONE } from '../../src/domain/client-address.js';
import { ConfigError, loadConfig } from '../../src/config.js';

const req = (peer: string, xff?: string | string[]) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as never;

describe('clientAddress', () => {
  it('uses the peer address and ignores X-Forwarded-For when no proxy is trusted (the default)', () => {
    expect(loadConfig({}).TRUST_PROXY).toEqual(TRUST_NONE);
    expect(clientAddress(req('10.0.0.5', '203.0.113.9'), TRUST_NONE)).toBe('10.0.0.5');
    expect(clientAddress(req('::ffff:127.0.0.1'), TRUST_NONE), 'IPv4-mapped IPv6 is the IPv4 address').toBe('127.0.0.1');
    expect(clientAddress(req('10.0.0.5', '203.0.113.9'), parseTrustProxy('false'))).toBe('10.0.0.5');
  });

  it('with a hop count, takes the address that many hops from the right of [X-Forwarded-For…, peer]', () => {
    const one = parseTrustProxy('1');
    expect(clientAddress(req('10.0.0.5', '198.51.100.1, 203.0.113.9'), one), 'the spoofable left entry is not used').toBe('203.0.113.9');
    expect(clientAddress(req('10.0.0.5'), one), 'no header: the peer').toBe('10.0.0.5');
    expect(clientAddress(req('10.0.0.5', '198.51.100.1, 203.0.113.9'), parseTrustProxy('2'))).toBe('198.51.100.1');
    expect(clientAddress(req('10.0.0.5', '203.0.113.9'), parseTrustProxy('5')), 'fewer hops than trusted: the furthest').toBe('203.0.113.9');
  });

  it('with a list, believes X-Forwarded-For only from listed peers and skips listed hops right to left', () => {
    const trust = parseTrustProxy('10.0.0.0/8, 192.0.2.7, fd00::/8');
    expect(clientAddress(req('10.1.2.3', '203.0.113.9'), trust)).toBe('203.0.113.9');
    expect(clientAddress(req('192.0.2.8', '203.0.113.9'), trust), 'an untrusted peer is the client, whatever it claims').toBe('192.0.2.8');
    expect(clientAddress(req('10.1.2.3', '6.6.6.6, 203.0.113.9, 192.0.2.7'), trust), 'two proxies, a spoofed left entry').toBe('203.0.113.9');
    expect(clientAddress(req('fd00::1', '2001:db8::5'), trust)).toBe('2001:db8::5');
    expect(clientAddress(req('::ffff:10.0.0.1', ['203.0.113.9:4711']), trust), 'mapped peer, entry with a port').toBe('203.0.113.9');
    expect(clientAddress(req('10.1.2.3', '10.0.0.9'), trust), 'every hop trusted: the furthest').toBe('10.0.0.9');
    expect(clientAddress(req('127.0.0.1', '203.0.113.9'), parseTrustProxy('loopback'))).toBe('203.0.113.9');
    expect(clientAddress(req('::1', '203.0.113.9'), parseTrustProxy('loopback'))).toBe('203.0.113.9');
  });

  it('normalises addresses and rejects a bad TRUST_PROXY with a message naming it', () => {
    expect(normaliseAddress(' [2001:DB8::1] ')).toBe('2001:db8::1');
    expect(normaliseAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.example.com' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: '99' })).toThrow(/hop count/);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toEqual({ kind: 'hops', hops: 2 });
  });
});
