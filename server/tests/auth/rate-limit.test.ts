import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authRateLimits } from '../../src/routes/auth/auth.routes';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { errorOf, post } from './auth-test-helpers';

let t: TestApp;
beforeAll(async () => {
  // The production default: 600 requests/min per IP overall, which gives sign-in 10/min.
  t = await createTestApp({ rateLimitPerMinute: 600 });
});
afterAll(async () => {
  await t.destroy();
});

describe('per-IP rate limits on sign-in', () => {
  it('derive from the general limit, so one setting raises them for a benchmark', () => {
    expect(authRateLimits({ rateLimitPerMinute: 600 })).toEqual({ signInPerMinute: 10, refreshPerMinute: 60 });
    expect(authRateLimits({ rateLimitPerMinute: 6_000_000 }).signInPerMinute).toBe(100_000);
    expect(authRateLimits({ rateLimitPerMinute: 1 })).toEqual({ signInPerMinute: 1, refreshPerMinute: 1 });
  });

  it('answers the 11th login in a minute from one address with 429 RATE_LIMITED and Retry-After', async () => {
    for (let i = 0; i < 10; i++) {
      // Invalid bodies still count: the limit applies before any work is done.
      expect((await post(t.app, '/login', { email: 'x' })).statusCode).toBe(400);
    }
    const limited = await post(t.app, '/login', { email: 'a@b.test', password: 'whatever password' });
    expect(limited.statusCode).toBe(429);
    expect(errorOf(limited).code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // Another address is not affected, and neither is the MFA step's own budget.
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '10.0.0.7',
      payload: { email: 'x' },
    });
    expect(elsewhere.statusCode).toBe(400);
  });

  it('limits the MFA step too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/mfa/verify',
        remoteAddress: '10.0.0.8',
        payload: {},
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});
