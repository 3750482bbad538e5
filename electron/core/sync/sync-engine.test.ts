import { describe, expect, it } from 'vitest';
import { AppError } from '@kiki/shared/errors';
import type { createSyncEngine } from './sync-engine';
import { type SyncRemote } from './sync-engine';
import { engineWith, fakeRemote, fakeStore, mutation, pullPage } from './sync-engine.fakes';

describe('sync engine', () => {
  it('registers below the oldest pending edit, pushes everything, then pulls', async () => {
    const local = fakeStore([4, 5, 6]);
    const { remote } = fakeRemote(local.log);
    const { engine, events } = engineWith(local.store, remote);
    const status = await engine.syncNow();
    expect(local.log).toEqual(['rotate', 'register 3', 'push 4,5,6', 'applyPush 4,5,6', 'pull null', 'applyPull c1']);
    expect(status).toMatchObject({ connection: 'online', pendingCount: 0, lastError: null, syncing: false });
    expect(events.some((e) => e.event === 'data.changed')).toBe(true);
    expect(events.filter((e) => e.event === 'sync.status').length).toBeGreaterThan(1);
  });

  it('registers with the highest id ever used when nothing is pending', async () => {
    const local = fakeStore([]);
    local.enqueue(9);
    local.store.applyPush([mutation(9)], {
      results: [{ id: 9, status: 'applied', duplicate: false }],
      lastAckedMutationId: 9,
      serverVersion: 1,
    });
    local.log.length = 0;
    const { remote } = fakeRemote(local.log);
    await engineWith(local.store, remote).engine.syncNow();
    expect(local.log[1]).toBe('register 9');
  });

  it('never runs two cycles at once, and an edit during a cycle gets its own push after it', async () => {
    const local = fakeStore([1]);
    let engineRef: ReturnType<typeof createSyncEngine> | null = null;
    const base = fakeRemote(local.log);
    let firstPush = true;
    const remote: SyncRemote = {
      ...base.remote,
      push: (body) => {
        if (firstPush) {
          // The user edits while the first push is on the wire.
          firstPush = false;
          local.enqueue(2);
          engineRef?.trigger('edit');
          engineRef?.trigger('poke');
          engineRef?.trigger('poke');
        }
        return base.remote.push(body);
      },
    };
    const { engine } = engineWith(local.store, remote, { editDebounceMs: 1 });
    engineRef = engine;
    await engine.syncNow();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await engine.syncNow();
    expect(base.maxInFlight()).toBe(1);
    expect(local.log.filter((l) => l.startsWith('push'))).toEqual(['push 1', 'push 2']);
    expect(local.pending()).toEqual([]);
  });

  it('never lets a cycle abandoned by stop() free the slot of the cycle that replaced it', async () => {
    const local = fakeStore([1]);
    const base = fakeRemote(local.log);
    const held: (() => void)[] = [];
    const remote: SyncRemote = {
      ...base.remote,
      push: async (body) => {
        await new Promise<void>((resolve) => held.push(resolve));
        return base.remote.push(body);
      },
    };
    const { engine } = engineWith(local.store, remote);
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(check()).toBe(true);
    };
    engine.trigger('poke');
    await waitFor(() => held.length === 1);
    // A refused sign-out stops and resumes the engine while the first push is still on the wire.
    engine.stop();
    engine.resume();
    engine.trigger('poke');
    await waitFor(() => held.length === 2);
    held[0]?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    engine.trigger('poke');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The second cycle is still running: a poke queues behind it instead of starting a third beside it.
    expect(held).toHaveLength(2);
    held[1]?.();
    await engine.syncNow();
    expect(local.pending()).toEqual([]);
    engine.stop();
  });

  it('moves to a new device when the server has seen ids this cache never allocated (restored backup)', async () => {
    // The cache was restored: its outbox counter is back at 3 while the server already processed up to 7.
    const local = fakeStore([2, 3]);
    const registered: { deviceId: string; lastMutationId: number }[] = [];
    let first = true;
    const { remote } = fakeRemote(local.log, {
      register: (body) => {
        registered.push(body);
        const lastAckedMutationId = first ? 7 : body.lastMutationId;
        first = false;
        return Promise.resolve({ lastAckedMutationId });
      },
    });
    const { engine } = engineWith(local.store, remote);
    await engine.syncNow();
    expect(registered).toHaveLength(2);
    expect(registered[1]?.deviceId).not.toBe(registered[0]?.deviceId);
    expect(registered[1]?.lastMutationId).toBe(1);
    // Pushed under the new device, so the server applies them instead of replaying old results for ids 2-3.
    expect(local.log.filter((l) => l.startsWith('push'))).toEqual(['push 2,3']);
    expect(local.pending()).toEqual([]);
  });

  it('keeps its device when the server acknowledged ids still in the outbox (a lost acknowledgement)', async () => {
    const local = fakeStore([4, 5]);
    const registered: string[] = [];
    const { remote } = fakeRemote(local.log, {
      register: (body) => {
        registered.push(body.deviceId);
        return Promise.resolve({ lastAckedMutationId: 5 });
      },
    });
    await engineWith(local.store, remote).engine.syncNow();
    // 4 and 5 may be the very edits the server applied: resending them under the same device replays, never re-applies.
    expect(registered).toHaveLength(1);
  });

  it('pulls every page until hasMore is false and resets on resetRequired', async () => {
    const local = fakeStore();
    const pages = [pullPage('', false, { resetRequired: true }), pullPage('p1', true), pullPage('p2', false)];
    const { remote } = fakeRemote(local.log, {
      pull: (body) => Promise.resolve(pages.shift() ?? pullPage(body.cursor ?? 'x')),
    });
    await engineWith(local.store, remote).engine.syncNow();
    expect(local.log.filter((l) => !l.startsWith('register') && l !== 'rotate')).toEqual([
      'reset',
      'applyPull p1',
      'applyPull p2',
    ]);
  });

  it('goes offline with a backoff retry when the server is unreachable, then succeeds and resets', async () => {
    const local = fakeStore([1]);
    let down = true;
    const { remote } = fakeRemote(local.log, {
      register: (body) =>
        down
          ? Promise.reject(new AppError('UNAVAILABLE', "Can't reach host."))
          : Promise.resolve({ lastAckedMutationId: body.lastMutationId }),
    });
    const scheduled: number[] = [];
    const timers = {
      setTimeout: ((_fn: () => void, ms: number) => {
        scheduled.push(ms);
        return 0 as unknown as ReturnType<typeof setTimeout>;
      }) as unknown as typeof setTimeout,
      clearTimeout: (() => undefined) as typeof clearTimeout,
    };
    const { engine } = engineWith(local.store, remote, { timers });
    const offline = await engine.syncNow();
    expect(offline).toMatchObject({ connection: 'offline', pendingCount: 1, lastError: { code: 'UNAVAILABLE' } });
    expect(offline.nextRetryAt).not.toBeNull();
    expect(local.lastError()?.code).toBe('UNAVAILABLE');
    // random() = 0.5: half of base (1 s) on the first failure.
    expect(scheduled.at(-1)).toBe(500);
    down = false;
    const online = await engine.syncNow();
    expect(online).toMatchObject({ connection: 'online', pendingCount: 0, lastError: null, nextRetryAt: null });
  });

  it('on SYNC_GAP rotates to a new device registered just below the oldest pending edit, and goes on', async () => {
    const local = fakeStore([7, 8]);
    let gapOnce = true;
    const devices: string[] = [];
    const base = fakeRemote(local.log);
    const remote: SyncRemote = {
      ...base.remote,
      push: (body) => {
        devices.push(body.deviceId);
        if (gapOnce) {
          gapOnce = false;
          return Promise.reject(new AppError('SYNC_GAP', 'expected 1'));
        }
        return base.remote.push(body);
      },
    };
    await engineWith(local.store, remote).engine.syncNow();
    expect(local.log.filter((l) => l === 'rotate' || l.startsWith('register'))).toEqual([
      'rotate',
      'register 6',
      'rotate',
      'register 6',
    ]);
    expect(devices[0]).not.toBe(devices[1]);
    expect(local.pending()).toEqual([]);
  });

  it('stops retrying on UPDATE_REQUIRED and says so', async () => {
    const local = fakeStore([1]);
    const { remote } = fakeRemote(local.log, {
      register: () => Promise.reject(new AppError('UPDATE_REQUIRED', 'Update KIKI Desktop.')),
    });
    const scheduled: number[] = [];
    const timers = {
      setTimeout: ((_fn: () => void, ms: number) => {
        scheduled.push(ms);
        return 0 as unknown as ReturnType<typeof setTimeout>;
      }) as unknown as typeof setTimeout,
      clearTimeout: (() => undefined) as typeof clearTimeout,
    };
    const { engine } = engineWith(local.store, remote, { timers });
    const status = await engine.syncNow();
    expect(status.lastError).toEqual({ code: 'UPDATE_REQUIRED', message: 'Update KIKI Desktop.' });
    expect(status.nextRetryAt).toBeNull();
    engine.trigger('poke');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(local.log.filter((l) => l.startsWith('register'))).toHaveLength(0);
    expect(scheduled.filter((ms) => ms > 0)).toEqual([]);
  });

  it('resumes after a restart from the stored cursors instead of starting over', async () => {
    const local = fakeStore([3]);
    const first = fakeRemote(local.log, {
      pull: (body) => {
        local.log.push(`pull ${body.cursor ?? 'null'}`);
        return Promise.resolve(pullPage(body.cursor === null ? 'p1' : 'p2', body.cursor === null));
      },
    });
    const crashing = { ...first.remote, pull: () => Promise.reject(new AppError('UNAVAILABLE', 'down')) };
    const timers = {
      setTimeout: (() => 0) as unknown as typeof setTimeout,
      clearTimeout: (() => undefined) as typeof clearTimeout,
    };
    await engineWith(local.store, crashing, { timers }).engine.syncNow();
    expect(local.pending()).toEqual([]);
    // A new engine (restarted core) on the same store continues from the saved cursor.
    local.store.applyPull(pullPage('p1', true));
    local.log.length = 0;
    await engineWith(local.store, first.remote).engine.syncNow();
    expect(local.log.filter((l) => l.startsWith('pull'))).toEqual(['pull p1']);
  });

  it('idles while signed out', async () => {
    const local = fakeStore([1]);
    const status = await engineWith(local.store, null).engine.syncNow();
    expect(status.connection).toBe('signedOut');
    expect(local.log).toEqual([]);
  });
});
