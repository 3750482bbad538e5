import { describe, expect, it } from 'vitest';
import { checkRpcUpgrade, isAllowedHost, tokensEqual } from './request-guard';

const host = { port: 4321, token: 'the-right-token-0123456789' };
const good = {
  url: `/rpc?token=${host.token}`,
  headers: { host: '127.0.0.1:4321', origin: 'http://127.0.0.1:4321' },
};

describe('checkRpcUpgrade', () => {
  it('accepts the right token from the host own origin', () => {
    expect(checkRpcUpgrade(good, host)).toEqual({ ok: true });
    expect(checkRpcUpgrade({ ...good, headers: { ...good.headers, host: 'localhost:4321' } }, host)).toEqual({
      ok: true,
    });
  });

  it.each([
    ['no token', { ...good, url: '/rpc' }, 401],
    ['an empty token', { ...good, url: '/rpc?token=' }, 401],
    ['a wrong token', { ...good, url: '/rpc?token=the-wrong-token-0123456789' }, 401],
    ['a foreign origin', { ...good, headers: { ...good.headers, origin: 'https://evil.example' } }, 403],
    ['a localhost origin', { ...good, headers: { ...good.headers, origin: 'http://localhost:4321' } }, 403],
    ['no origin', { ...good, headers: { host: '127.0.0.1:4321' } }, 403],
    ['a rebinding host name', { ...good, headers: { ...good.headers, host: 'evil.example:4321' } }, 403],
    ['another port in Host', { ...good, headers: { ...good.headers, host: '127.0.0.1:80' } }, 403],
    ['another path', { ...good, url: `/other?token=${host.token}` }, 404],
  ])('refuses %s', (_label, request, status) => {
    expect(checkRpcUpgrade(request, host)).toMatchObject({ ok: false, status });
  });
});

describe('tokensEqual', () => {
  it('is true only for the identical token', () => {
    expect(tokensEqual(host.token, host.token)).toBe(true);
    expect(tokensEqual(host.token.slice(0, -1), host.token)).toBe(false);
    expect(tokensEqual(`${host.token}x`, host.token)).toBe(false);
    expect(tokensEqual('', host.token)).toBe(false);
  });
});

describe('isAllowedHost', () => {
  it('allows loopback names with our port only', () => {
    expect(isAllowedHost('127.0.0.1:4321', 4321)).toBe(true);
    expect(isAllowedHost('localhost:4321', 4321)).toBe(true);
    expect(isAllowedHost('[::1]:4321', 4321)).toBe(false);
    expect(isAllowedHost(undefined, 4321)).toBe(false);
    expect(isAllowedHost('127.0.0.1', 4321)).toBe(false);
  });
});
