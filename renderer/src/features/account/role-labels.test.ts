import { describe, expect, it } from 'vitest';
import { describeGrant } from './role-labels';

const ACME = '0190f0a0-0000-7000-8000-000000000001';
const NORDIC = '0190f0a0-0000-7000-8000-000000000002';
const names = new Map([[ACME, 'Acme Outdoor']]);

describe('describeGrant', () => {
  it('names the role in operator words and the clients it covers', () => {
    expect(describeGrant({ role: 'admin', clientIds: null }, (id) => names.get(id))).toBe('Agency admin, all clients');
    expect(describeGrant({ role: 'operator', clientIds: [ACME] }, (id) => names.get(id))).toBe(
      'Campaign operator for Acme Outdoor',
    );
  });
  it('counts clients this computer has no name for instead of showing ids', () => {
    expect(describeGrant({ role: 'analyst', clientIds: [ACME, NORDIC] }, (id) => names.get(id))).toBe(
      'Analyst (view only) for Acme Outdoor, 1 more client',
    );
    expect(describeGrant({ role: 'analyst', clientIds: [] }, (id) => names.get(id))).toBe(
      'Analyst (view only), no clients',
    );
  });
});
