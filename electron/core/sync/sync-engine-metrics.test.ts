import { describe, expect, it } from 'vitest';
import type { MetricsPullResponse } from '@kiki/shared/sync/sync-protocol';
import { CLIENT, engineWith, fakeRemote, fakeStore, metricsPage, pullPage } from './sync-engine.fakes';

describe('sync engine: metrics', () => {
  it('downloads recent metrics of every client before any history, and shows progress', async () => {
    const local = fakeStore();
    const clientB = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8e';
    const script = new Map<string, MetricsPullResponse[]>([
      [
        CLIENT,
        [metricsPage('recent', 'a1', true), metricsPage('history', 'a2', true), metricsPage('history', 'a3', false)],
      ],
      [clientB, [metricsPage('recent', 'b1', false), metricsPage('delta', 'b2', false, 0)]],
    ]);
    const order: string[] = [];
    const { remote } = fakeRemote(local.log, {
      pull: () => Promise.resolve(pullPage('c', false, { readableClientIds: [CLIENT, clientB] })),
      metricsPull: (body) => {
        const page = script.get(body.clientId)?.shift() ?? metricsPage('delta', 'z', false, 0);
        order.push(`${body.clientId === CLIENT ? 'A' : 'B'}:${page.phase}`);
        return Promise.resolve(page);
      },
    });
    const { engine, events } = engineWith(local.store, remote);
    await engine.syncNow();
    expect(order.slice(0, 3)).toEqual(['A:recent', 'A:history', 'B:recent']);
    expect(order.indexOf('A:history')).toBeLessThan(order.indexOf('B:recent') + 1);
    const progress = events
      .filter((e) => e.event === 'sync.status')
      .map((e) => (e.payload as { initialSync: { phase: string; usable: boolean } | null }).initialSync)
      .filter((p) => p !== null);
    expect(progress.some((p) => p.phase === 'catalog' && !p.usable)).toBe(true);
    expect(progress.some((p) => p.phase === 'recentMetrics' && !p.usable)).toBe(true);
    expect(progress.some((p) => p.usable)).toBe(true);
    expect(local.log.filter((l) => l.startsWith('finish'))).toEqual([
      'finish recent',
      'finish recent',
      'finish history',
      'finish history',
    ]);
  });

  it('asks for the next page before writing the current one, so server and SQLite work overlap', async () => {
    const local = fakeStore();
    const pages = [
      metricsPage('recent', 'r1', true),
      metricsPage('history', 'h1', true),
      metricsPage('history', 'h2', true),
      metricsPage('history', 'h3', false),
    ];
    const { remote } = fakeRemote(local.log, {
      pull: () => Promise.resolve(pullPage('c', false, { readableClientIds: [CLIENT] })),
      metricsPull: (body) => {
        local.log.push(`request after ${body.cursor ?? 'start'}`);
        return Promise.resolve(pages.shift() ?? metricsPage('delta', 'z', false, 0));
      },
    });
    await engineWith(local.store, remote).engine.syncNow();
    const order = local.log.filter((l) => l.startsWith('request') || l.startsWith('snapshot'));
    // Pass 1 takes the recent days, asking for what follows before writing them, and holds (does not write) the
    // first history page; pass 2 writes it, each time asking for the next page before writing the current one.
    expect(order).toEqual([
      'request after start',
      'request after r1',
      'snapshot recent 1',
      'request after h1',
      'snapshot history 1',
      'request after h2',
      'snapshot history 1',
      'snapshot history 1',
    ]);
  });

  it('lets the next page request leave before writing the current page, though the remote starts it asynchronously', async () => {
    const local = fakeStore();
    const pages = [
      metricsPage('recent', 'r1', true),
      metricsPage('history', 'h1', true),
      metricsPage('history', 'h2', true),
      metricsPage('history', 'h3', false),
    ];
    const { remote } = fakeRemote(local.log, {
      pull: () => Promise.resolve(pullPage('c', false, { readableClientIds: [CLIENT] })),
      // The real remote awaits the session (access token) before fetch writes the request: a synchronous page
      // write right after calling it would hold the request back until the write is over.
      metricsPull: async (body) => {
        await Promise.resolve();
        await new Promise((resolve) => setImmediate(resolve));
        local.log.push(`sent after ${body.cursor ?? 'start'}`);
        return pages.shift() ?? metricsPage('delta', 'z', false, 0);
      },
    });
    await engineWith(local.store, remote).engine.syncNow();
    const order = local.log.filter((l) => l.startsWith('sent after h') || l.startsWith('snapshot history'));
    // Each history page is written only after the request for the one after it has gone out.
    expect(order).toEqual([
      'sent after h1',
      'snapshot history 1',
      'sent after h2',
      'snapshot history 1',
      'snapshot history 1',
    ]);
  });

  it('writes nothing more once stopped while the next page request was leaving', async () => {
    const local = fakeStore();
    const pages = [
      metricsPage('recent', 'r1', false),
      metricsPage('history', 'h1', true),
      metricsPage('history', 'h2', true),
      metricsPage('history', 'h3', false),
    ];
    let stopEngine: () => void = () => undefined;
    const { remote } = fakeRemote(local.log, {
      pull: () => Promise.resolve(pullPage('c', false, { readableClientIds: [CLIENT] })),
      metricsPull: (body) => {
        // The request for the page after h1 goes out just before h1 would be written: sign out right then.
        if (body.cursor === 'h1') stopEngine();
        return Promise.resolve(pages.shift() ?? metricsPage('delta', 'z', false, 0));
      },
    });
    const { engine } = engineWith(local.store, remote);
    stopEngine = () => engine.stop();
    await engine.syncNow().catch(() => undefined);
    expect(local.log.filter((l) => l.startsWith('snapshot history'))).toEqual([]);
  });

  it('follows a burst of pokes with metric deltas once at the start and once after the window, not per poke', async () => {
    const local = fakeStore();
    let metricRequests = 0;
    let pulls = 0;
    const { remote } = fakeRemote(local.log, {
      pull: () => {
        pulls += 1;
        return Promise.resolve(pullPage(`c${pulls}`, false, { readableClientIds: [CLIENT] }));
      },
      metricsPull: () => {
        metricRequests += 1;
        return Promise.resolve(metricsPage(metricRequests === 1 ? 'recent' : 'delta', `m${metricRequests}`, false));
      },
    });
    // The window is wide enough that a loaded machine (the whole suite in parallel) still fits five 10 ms pokes in it.
    const { engine } = engineWith(local.store, remote, { metricsIntervalMs: 600 });
    await engine.syncNow();
    const afterFirstSync = metricRequests;
    for (let i = 0; i < 5; i++) {
      engine.trigger('poke');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await engine.syncNow();
    // syncNow is a user's explicit request: it always includes metrics. Pokes alone wait for the window.
    const afterNow = metricRequests;
    for (let i = 0; i < 5; i++) {
      engine.trigger('poke');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(metricRequests).toBe(afterNow);
    expect(pulls).toBeGreaterThan(5);
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(metricRequests).toBe(afterNow + 1);
    expect(afterFirstSync).toBeGreaterThan(0);
    engine.stop();
  });

  it('trims old metrics only when the window moved, not on every sync', async () => {
    const local = fakeStore();
    const pages: MetricsPullResponse[] = [metricsPage('recent', 'r1', true), metricsPage('history', 'h1', false)];
    const { remote } = fakeRemote(local.log, {
      pull: () => Promise.resolve(pullPage('c', false, { readableClientIds: [CLIENT] })),
      metricsPull: () => Promise.resolve(pages.shift() ?? metricsPage('delta', 'z', false, 0)),
    });
    const { engine } = engineWith(local.store, remote);
    await engine.syncNow();
    expect(local.log.filter((l) => l.startsWith('trim'))).toEqual([]);
    // A snapshot under way when the day rolled over: the next page reports a later window start.
    local.metricCursors.set(CLIENT, { cursor: 'r1', phase: 'history', done: 1, total: 2, windowStart: '2024-01-01' });
    pages.push({ ...metricsPage('history', 'h2', false), windowStart: '2024-01-02' });
    await engine.syncNow();
    expect(local.log.filter((l) => l.startsWith('trim'))).toEqual(['trim 2024-01-02']);
  });

  it("says the app is usable once every client's recent days are in, before any history is written", async () => {
    const local = fakeStore();
    const clientB = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8e';
    const script = new Map<string, MetricsPullResponse[]>([
      [CLIENT, [metricsPage('recent', 'a1', true), metricsPage('history', 'a2', false)]],
      [clientB, [metricsPage('recent', 'b1', true), metricsPage('history', 'b2', false)]],
    ]);
    const { remote } = fakeRemote(local.log, {
      pull: () => Promise.resolve(pullPage('c', false, { readableClientIds: [CLIENT, clientB] })),
      metricsPull: (body) => Promise.resolve(script.get(body.clientId)?.shift() ?? metricsPage('delta', 'z', false, 0)),
    });
    let usableLogged = false;
    const { engine } = engineWith(local.store, remote, {
      emit: (event, payload) => {
        const initial =
          event === 'sync.status' ? (payload as { initialSync: { usable: boolean } | null }).initialSync : null;
        if (initial?.usable === true && !usableLogged) {
          usableLogged = true;
          local.log.push('USABLE');
        }
      },
    });
    await engine.syncNow();
    const usableAt = local.log.indexOf('USABLE');
    expect(usableAt).toBeGreaterThan(-1);
    expect(local.log.slice(0, usableAt).filter((l) => l.startsWith('snapshot history'))).toEqual([]);
    expect(local.log.slice(0, usableAt).filter((l) => l === 'finish recent')).toHaveLength(2);
    expect(local.log.filter((l) => l.startsWith('snapshot history'))).toHaveLength(2);
  });

  it('re-pulls the catalogue and downloads a client again when its metrics named ads the device lacked', async () => {
    const local = fakeStore();
    local.unknownAdRows.set(CLIENT, 3);
    const metricCursorsAsked: (string | null)[] = [];
    let catalogPulls = 0;
    const { remote } = fakeRemote(local.log, {
      pull: () => {
        catalogPulls += 1;
        return Promise.resolve(pullPage(`c${catalogPulls}`, false, { readableClientIds: [CLIENT] }));
      },
      metricsPull: (body) => {
        metricCursorsAsked.push(body.cursor);
        // The second catalogue pull brought the missing ads.
        if (catalogPulls > 1) local.unknownAdRows.delete(CLIENT);
        return Promise.resolve(metricsPage('recent', `m${metricCursorsAsked.length}`, false));
      },
    });
    await engineWith(local.store, remote).engine.syncNow();
    expect(catalogPulls).toBe(2);
    expect(metricCursorsAsked[0]).toBeNull();
    expect(metricCursorsAsked.filter((c) => c === null)).toHaveLength(2);
  });
});
