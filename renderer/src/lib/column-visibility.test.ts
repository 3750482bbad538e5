import { describe, expect, it } from 'vitest';
import { readColumnVisibility, serializeColumnVisibility } from './column-visibility';

const defaults = { name: true, clicks: false, spend: true };

describe('readColumnVisibility', () => {
  it('round-trips the operator choice', () => {
    const chosen = { name: true, clicks: true, spend: false };
    expect(readColumnVisibility(serializeColumnVisibility(chosen), defaults)).toEqual(chosen);
  });

  it('uses defaults for nothing stored, bad JSON or the wrong shape', () => {
    expect(readColumnVisibility(null, defaults)).toEqual(defaults);
    expect(readColumnVisibility('{nope', defaults)).toEqual(defaults);
    expect(readColumnVisibility('{"spend":"yes"}', defaults)).toEqual(defaults);
  });

  it('drops columns that no longer exist and adds new ones with their default', () => {
    expect(readColumnVisibility('{"spend":false,"legacy":true}', defaults)).toEqual({
      name: true,
      clicks: false,
      spend: false,
    });
  });
});
