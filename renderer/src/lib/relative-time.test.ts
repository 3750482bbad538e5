import { describe, expect, it } from 'vitest';
import { formatTimeAgo } from './relative-time';

describe('formatTimeAgo', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  it('rounds down to the unit a status bar needs', () => {
    expect(formatTimeAgo('2026-11-26T11:59:30Z', now)).toBe('just now');
    expect(formatTimeAgo('2026-11-26T12:00:05Z', now)).toBe('just now');
    expect(formatTimeAgo('2026-11-26T11:58:00Z', now)).toBe('2 min ago');
    expect(formatTimeAgo('2026-11-26T11:00:01Z', now)).toBe('59 min ago');
    expect(formatTimeAgo('2026-11-26T09:00:00Z', now)).toBe('3 h ago');
    expect(formatTimeAgo('2026-11-25T11:00:00Z', now)).toBe('yesterday');
    expect(formatTimeAgo('2026-11-20T12:00:00Z', now)).toBe('6 days ago');
  });
  it('says so when the time cannot be read', () => {
    expect(formatTimeAgo('not a date', now)).toBe('at an unknown time');
  });
});
