import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.destroy();
});

describe('smoke', () => {
  it('serves the agency to its owner', async () => {
    const org = await t.createOrg({ name: 'Acme Agency' });
    const owner = await t.createUser({ orgId: org.id, role: 'owner' });
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/org', headers: await t.authHeader(owner) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: org.id, name: 'Acme Agency', mfaRequired: false });
  });
});
