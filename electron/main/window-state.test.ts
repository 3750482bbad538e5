import { describe, expect, it, vi } from 'vitest';
import type { WindowState } from './settings.schema';
import { DEFAULT_WINDOW_SIZE, restoreWindowState, trackWindowState, type TrackedWindow } from './window-state';

const laptop = { x: 0, y: 0, width: 1440, height: 900 };
const external = { x: 1440, y: 0, width: 2560, height: 1440 };

describe('restoreWindowState', () => {
  it('restores bounds and maximized flag that are on a connected display', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1400, height: 900 }, maximized: true };
    expect(restoreWindowState(saved, [laptop, external])).toEqual(saved);
  });

  it('keeps the size but drops the position when the display it was on is gone', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 2000, height: 1200 }, maximized: false };
    expect(restoreWindowState(saved, [laptop])).toEqual({ bounds: { width: 1440, height: 900 }, maximized: false });
  });

  it.each([undefined, null, 'garbage', { bounds: { x: 0, y: 0, width: 'wide', height: 10 }, maximized: false }])(
    'falls back to the default size for %j',
    (saved) => {
      expect(restoreWindowState(saved, [laptop])).toEqual({ bounds: DEFAULT_WINDOW_SIZE, maximized: false });
    },
  );
});

class FakeWindow implements TrackedWindow {
  listeners = new Map<string, (() => void)[]>();
  bounds = { x: 10, y: 20, width: 1200, height: 800 };
  maximized = false;
  on(event: string, listener: () => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string) {
    for (const l of this.listeners.get(event) ?? []) l();
  }
  getNormalBounds() {
    return this.bounds;
  }
  isMaximized() {
    return this.maximized;
  }
}

describe('trackWindowState', () => {
  it('saves once after the user stops resizing, and on close', () => {
    vi.useFakeTimers();
    try {
      const win = new FakeWindow();
      const saved: WindowState[] = [];
      trackWindowState(win, (s) => saved.push(s), { setTimeout, clearTimeout });
      win.emit('resize');
      win.bounds = { x: 10, y: 20, width: 1300.4, height: 850 };
      win.emit('resize');
      vi.advanceTimersByTime(499);
      expect(saved).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(saved).toEqual([{ bounds: { x: 10, y: 20, width: 1300, height: 850 }, maximized: false }]);
      win.maximized = true;
      win.emit('maximize');
      win.emit('close');
      expect(saved).toHaveLength(2);
      expect(saved[1]).toEqual({ bounds: { x: 10, y: 20, width: 1300, height: 850 }, maximized: true });
      vi.advanceTimersByTime(1000);
      expect(saved).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
