import { windowStateSchema, type Rectangle, type WindowState } from './settings.schema';

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 800 };

/** Without x/y Electron centres the window on the primary display. */
export interface InitialWindowState {
  bounds: { width: number; height: number; x?: number; y?: number };
  maximized: boolean;
}

const MIN_VISIBLE = { width: 160, height: 80 };

function visibleArea(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/**
 * Turns what the store holds into bounds for a new window. A window saved on a monitor that is no
 * longer attached (or a corrupt entry) must not open off-screen: it keeps its size, clamped to the
 * largest display, and is centred instead.
 */
export function restoreWindowState(saved: unknown, workAreas: Rectangle[]): InitialWindowState {
  const parsed = windowStateSchema.safeParse(saved);
  if (!parsed.success) return { bounds: { ...DEFAULT_WINDOW_SIZE }, maximized: false };
  const { bounds, maximized } = parsed.data;
  const onScreen = workAreas.some((area) => {
    const visible = visibleArea(bounds, area);
    return visible.width >= MIN_VISIBLE.width && visible.height >= MIN_VISIBLE.height;
  });
  if (onScreen) return { bounds, maximized };
  const largest = workAreas.reduce<Rectangle | null>(
    (best, area) => (!best || area.width * area.height > best.width * best.height ? area : best),
    null,
  );
  return {
    bounds: {
      width: largest ? Math.min(bounds.width, largest.width) : bounds.width,
      height: largest ? Math.min(bounds.height, largest.height) : bounds.height,
    },
    maximized,
  };
}

/** The parts of a BrowserWindow whose geometry we remember. */
export interface TrackedWindow {
  on(event: 'close' | 'resize' | 'move' | 'maximize' | 'unmaximize', listener: () => void): unknown;
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
}

/**
 * Saves the window's normal (un-maximized) bounds and maximized flag shortly after the user stops
 * resizing or moving, and once more on close, so the next start opens the window where it was.
 */
export function trackWindowState(
  win: TrackedWindow,
  save: (state: WindowState) => void,
  timers: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout } = { setTimeout, clearTimeout },
): void {
  let pending: ReturnType<typeof setTimeout> | null = null;
  const snapshot = () => {
    const bounds = win.getNormalBounds();
    save({
      bounds: {
        x: Math.round(bounds.x),
        y: Math.round(bounds.y),
        width: Math.round(bounds.width),
        height: Math.round(bounds.height),
      },
      maximized: win.isMaximized(),
    });
  };
  const later = () => {
    if (pending) timers.clearTimeout(pending);
    pending = timers.setTimeout(() => {
      pending = null;
      snapshot();
    }, 500);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(event, later);
  win.on('close', () => {
    if (pending) timers.clearTimeout(pending);
    pending = null;
    snapshot();
  });
}
