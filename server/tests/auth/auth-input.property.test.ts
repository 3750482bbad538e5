import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.destroy();
});

const PUBLIC_POSTS = ['/login', '/mfa/verify', '/refresh', '/mfa/enroll/start', '/mfa/enroll/confirm'];

/** Anything JSON can carry, including the wrong types for every field and oversized strings. */
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ minLength: 1000, maxLength: 5000 }),
  fc.constantFrom(null, -1, 1e308, '', '\u0000', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '../../etc/passwd', "' OR 1=1 --"),
);
const hostileBody = fc.oneof(
  hostileValue,
  fc.record(
    {
      email: hostileValue,
      password: hostileValue,
      orgId: hostileValue,
      challengeToken: hostileValue,
      code: hostileValue,
      recoveryCode: hostileValue,
      refreshToken: hostileValue,
    },
    { requiredKeys: [] },
  ),
);

describe('auth endpoints under hostile input', () => {
  it('answer malformed, oversized and wrongly typed bodies with a 4xx and an error code, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PUBLIC_POSTS), hostileBody, async (path, body) => {
        const response = await t.app.inject({
          method: 'POST',
          url: `/api/v1/auth${path}`,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        expect(response.json<{ error: { code: string } }>().error.code).toMatch(/^[A-Z_]+$/);
      }),
      { numRuns: 150 },
    );
  });

  it('answer bodies that are not JSON at all with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PUBLIC_POSTS), fc.string({ maxLength: 300 }), async (path, raw) => {
        const response = await t.app.inject({
          method: 'POST',
          url: `/api/v1/auth${path}`,
          headers: { 'content-type': 'application/json' },
          payload: `{${raw}`,
        });
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });
});
