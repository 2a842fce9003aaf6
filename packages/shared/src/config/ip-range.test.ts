import { describe, expect, it } from 'vitest';
import { normalizeAddress, parseIpRange } from './ip-range.js';

describe('parseIpRange', () => {
  it.each([
    ['127.0.0.1', { family: 'ipv4', address: '127.0.0.1', prefix: 32 }],
    ['10.0.0.0/8', { family: 'ipv4', address: '10.0.0.0', prefix: 8 }],
    [' 192.168.1.0/24 ', { family: 'ipv4', address: '192.168.1.0', prefix: 24 }],
    ['::1', { family: 'ipv6', address: '::1', prefix: 128 }],
    ['fd00::/8', { family: 'ipv6', address: 'fd00::', prefix: 8 }],
    ['fe80::1%eth0', { family: 'ipv6', address: 'fe80::1', prefix: 128 }],
    // An IPv4-mapped address is its IPv4 address; an IPv6 prefix over it keeps its IPv4 meaning.
    ['::ffff:127.0.0.1', { family: 'ipv4', address: '127.0.0.1', prefix: 32 }],
    ['::ffff:10.0.0.0/104', { family: 'ipv4', address: '10.0.0.0', prefix: 8 }],
    ['0.0.0.0/0', { family: 'ipv4', address: '0.0.0.0', prefix: 0 }],
  ])('reads %s', (text, range) => {
    expect(parseIpRange(text)).toEqual(range);
  });

  it.each([
    '',
    'localhost',
    '127.0.0.1/33',
    '::1/129',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    '256.0.0.1',
    '10.0.0.0/-1',
    '::ffff:10.0.0.0/8',
    '*',
  ])('refuses %j', (text) => {
    expect(parseIpRange(text)).toBeUndefined();
  });
});

describe('normalizeAddress', () => {
  it('reads a mapped IPv4 peer as IPv4 and drops a zone', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeAddress('fe80::1%lo0')).toBe('fe80::1');
    expect(normalizeAddress('::1')).toBe('::1');
    expect(normalizeAddress('10.0.0.1')).toBe('10.0.0.1');
  });
});
