import { describe, expect, it } from 'vitest';
import { csvSafeCell } from './csv-safe';

describe('csvSafeCell', () => {
  it('defuses cells a spreadsheet would run as a formula', () => {
    for (const formula of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=x', '\r=x']) {
      expect(csvSafeCell(formula)).toBe(`'${formula}`);
    }
  });

  it('leaves ordinary values alone and renders null as empty', () => {
    expect(csvSafeCell('client.updated')).toBe('client.updated');
    expect(csvSafeCell(42)).toBe('42');
    expect(csvSafeCell({ a: 1 })).toBe('{"a":1}');
    expect(csvSafeCell(null)).toBe('');
  });
});
