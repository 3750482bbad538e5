// @vitest-environment happy-dom
import { act, createElement, Fragment, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session, SyncIssue, SyncStatus } from '@kiki/shared/contract/sync-contract';
import { fakeRpcClient, type FakeHandlers } from '../../lib/fake-rpc-client';
import { RpcClientContext } from '../../lib/rpc-context';
import { AccountMenu } from '../account/AccountMenu';
import SignInPage from '../account/SignInPage';
import SyncIssuesPage from './SyncIssuesPage';
import { SyncErrorBanner } from './SyncErrorBanner';
import { SyncProvider } from './SyncProvider';
import { SyncStatusIndicator } from './SyncStatusIndicator';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const USER_ID = '0190f0a0-0000-7000-8000-0000000000e1';
const ORG_ID = '0190f0a0-0000-7000-8000-0000000000f1';
const signedIn: Extract<Session, { state: 'signedIn' }> = {
  state: 'signedIn',
  serverUrl: 'http://127.0.0.1:9000',
  user: { id: USER_ID, email: 'ana@agency.test', displayName: 'Ana Ruiz' },
  org: { id: ORG_ID, name: 'Northwind Agency' },
  roles: [{ role: 'operator', clientIds: null }],
};

function status(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    connection: 'online',
    syncing: false,
    pendingCount: 0,
    lastSyncedAt: null,
    lastError: null,
    nextRetryAt: null,
    issueCount: 0,
    initialSync: null,
    ...overrides,
  };
}

let container: HTMLElement;
let root: Root;

beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

async function flush() {
  await act(async () => {
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  });
}

async function render(handlers: FakeHandlers, ui: ReactNode, path = '/') {
  const rpc = fakeRpcClient({
    'sync.status': () => ({ ok: true, value: status() }),
    'session.get': () => ({ ok: true, value: signedIn }),
    ...handlers,
  });
  const router = createMemoryRouter(
    [
      { path: '/', element: ui },
      { path: '/sign-in', element: ui },
      { path: '/dashboard', element: createElement('p', null, 'dashboard page') },
      { path: '/sync/issues', element: createElement('p', null, 'issues page') },
    ],
    { initialEntries: [path] },
  );
  act(() =>
    root.render(
      createElement(
        RpcClientContext.Provider,
        { value: rpc.client },
        createElement(SyncProvider, null, createElement(RouterProvider, { router })),
      ),
    ),
  );
  await flush();
  return { rpc, router };
}

function byText(tag: string, text: string | RegExp): HTMLElement {
  const found = [...container.querySelectorAll<HTMLElement>(tag)].find((el) =>
    typeof text === 'string' ? el.textContent?.trim() === text : text.test(el.textContent ?? ''),
  );
  if (found === undefined) throw new Error(`no <${tag}> with text ${String(text)} in: ${container.textContent}`);
  return found;
}

function input(label: string): HTMLInputElement {
  const labelEl = byText('label', label) as HTMLLabelElement;
  const control = container.querySelector<HTMLInputElement>(`#${CSS.escape(labelEl.htmlFor)}`);
  if (control === null) throw new Error(`label ${label} points at nothing`);
  return control;
}

async function click(el: HTMLElement) {
  await act(async () => {
    el.click();
    await Promise.resolve();
  });
  await flush();
}

describe('sync status indicator', () => {
  it('shows the status core reports, follows its events and syncs on request', async () => {
    const { rpc } = await render(
      {
        'sync.status': () => ({ ok: true, value: status({ connection: 'offline', pendingCount: 3 }) }),
        'sync.now': () => ({ ok: true, value: status({ lastSyncedAt: new Date().toISOString() }) }),
      },
      createElement(Fragment, null, createElement(SyncStatusIndicator), createElement(SyncErrorBanner)),
    );
    const live = container.querySelector('[role="status"]');
    expect(live?.getAttribute('aria-live')).toBe('polite');
    expect(live?.textContent).toContain('Offline');
    expect(live?.textContent).toContain('3 changes waiting');

    act(() =>
      rpc.emit(
        'sync.status',
        status({
          connection: 'offline',
          pendingCount: 1,
          issueCount: 2,
          lastError: { code: 'UNAVAILABLE', message: "Can't reach 127.0.0.1. Your changes are kept." },
        }),
      ),
    );
    expect(container.textContent).toContain('1 change waiting');
    expect(container.querySelector('[aria-label="Sync error"]')?.textContent).toContain(
      "Can't reach 127.0.0.1. Your changes are kept.",
    );
    expect(byText('a', '2 sync issues').getAttribute('href')).toBe('/sync/issues');

    await click(byText('button', 'Sync now'));
    expect(rpc.callsOf('sync.now')).toHaveLength(1);
    expect(container.textContent).toContain('Online');
    expect(container.textContent).toContain('Synced just now');
    expect(container.textContent).not.toContain('waiting');
    expect(container.querySelector('[aria-label="Sync error"]')).toBeNull();
  });

  it('keeps a status event that arrives before the first fetch answers', async () => {
    let answer: (value: SyncStatus) => void = () => undefined;
    const { rpc } = await render(
      {
        'sync.status': () =>
          new Promise((resolve) => {
            answer = (value) => resolve({ ok: true, value });
          }),
      },
      createElement(SyncStatusIndicator),
    );
    act(() => rpc.emit('sync.status', status({ pendingCount: 4 })));
    answer(status({ pendingCount: 0, connection: 'connecting' }));
    await flush();
    expect(container.textContent).toContain('4 changes waiting');
    expect(container.textContent).not.toContain('Connecting');
  });
});

describe('sign-in', () => {
  it('explains invalid input beside the fields without calling core', async () => {
    const { rpc } = await render(
      { 'session.get': () => ({ ok: true, value: { state: 'signedOut', lastServerUrl: null } }) },
      createElement(SignInPage),
      '/sign-in',
    );
    input('Server address').value = 'kiki.agency.test';
    input('Email').value = 'ana@agency.test';
    await click(byText('button', 'Sign in'));
    expect(container.textContent).toContain('enter a full address starting with https://');
    expect(container.textContent).toContain('enter your password');
    expect(rpc.callsOf('session.signIn')).toHaveLength(0);
  });

  it('asks for the MFA code, accepts a recovery code instead, and forgets the password', async () => {
    const { rpc, router } = await render(
      {
        'session.get': () => ({ ok: true, value: { state: 'signedOut', lastServerUrl: 'http://127.0.0.1:9000' } }),
        'session.signIn': () => ({
          ok: true,
          value: { step: 'mfa', expiresAt: new Date(Date.now() + 300_000).toISOString() },
        }),
        'session.verifyMfa': (i) =>
          i.recoveryCode === 'abcd-efgh-ijkl'
            ? { ok: true, value: signedIn }
            : { ok: false, error: { code: 'MFA_INVALID', message: 'That code is not valid. Try the current one.' } },
      },
      createElement(SignInPage),
      '/sign-in',
    );
    expect(input('Server address').value).toBe('http://127.0.0.1:9000');
    input('Email').value = 'ana@agency.test';
    input('Password').value = 'correct horse';
    await click(byText('button', 'Sign in'));
    expect(rpc.callsOf('session.signIn')).toEqual([
      { serverUrl: 'http://127.0.0.1:9000', email: 'ana@agency.test', password: 'correct horse' },
    ]);
    expect(container.textContent).toContain('6-digit code');

    input('Authentication code').value = '123456';
    await click(byText('button', 'Verify'));
    expect(container.querySelector('[role="alert"]')?.textContent).toContain('That code is not valid');

    await click(byText('button', 'Use a recovery code instead'));
    input('Recovery code').value = 'abcd-efgh-ijkl';
    await click(byText('button', 'Verify'));
    expect(rpc.callsOf('session.verifyMfa')).toEqual([{ code: '123456' }, { recoveryCode: 'abcd-efgh-ijkl' }]);
    expect(router.state.location.pathname).toBe('/dashboard');
  });

  it('offers to discard changes queued on the old cache when sign-in refuses to replace them', async () => {
    const { rpc } = await render(
      {
        'session.get': () => ({ ok: true, value: { state: 'signedOut', lastServerUrl: null } }),
        'session.signIn': () => ({
          ok: false,
          error: { code: 'CONFLICT', message: '2 unsynced changes were made before signing in and would be lost.' },
        }),
        'session.signOut': () => ({ ok: true, value: { discarded: 2 } }),
      },
      createElement(SignInPage),
      '/sign-in',
    );
    input('Server address').value = 'http://127.0.0.1:9000';
    input('Email').value = 'ana@agency.test';
    input('Password').value = 'correct horse';
    await click(byText('button', 'Sign in'));
    expect(container.textContent).toContain('would be lost');
    // Nothing is discarded until the user asks for it.
    expect(rpc.callsOf('session.signOut')).toHaveLength(0);
    await click(byText('button', 'Discard the waiting changes'));
    expect(rpc.callsOf('session.signOut')).toEqual([{ discardPending: true }]);
    expect(container.textContent).toContain('2 changes were discarded. Sign in again.');
  });

  it('shows why sign-in failed and empties the password field', async () => {
    await render(
      {
        'session.get': () => ({ ok: true, value: { state: 'signedOut', lastServerUrl: null } }),
        'session.signIn': () => ({
          ok: false,
          error: { code: 'UNAVAILABLE', message: "Can't reach kiki.agency.test." },
        }),
      },
      createElement(SignInPage),
      '/sign-in',
    );
    input('Server address').value = 'https://kiki.agency.test';
    input('Email').value = 'ana@agency.test';
    input('Password').value = 'secret';
    await click(byText('button', 'Sign in'));
    const alert = container.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain("Can't reach kiki.agency.test.");
    expect(alert?.textContent).toContain('Check the address and your network connection');
    expect(input('Password').value).toBe('');
  });

  it('after an expired session, says why and fills in the server and email', async () => {
    await render(
      {
        'session.get': () => ({
          ok: true,
          value: {
            state: 'expired',
            serverUrl: 'https://kiki.agency.test',
            email: 'ana@agency.test',
            reason: 'the keychain is locked; unlock it and sign in again',
          },
        }),
      },
      createElement(SignInPage),
      '/sign-in',
    );
    expect(container.textContent).toContain('Your session ended: the keychain is locked');
    expect(input('Server address').value).toBe('https://kiki.agency.test');
    expect(input('Email').value).toBe('ana@agency.test');
  });

  it('tells an account without MFA to enrol in the web console', async () => {
    await render(
      {
        'session.get': () => ({ ok: true, value: { state: 'signedOut', lastServerUrl: null } }),
        'session.signIn': () => ({ ok: true, value: { step: 'mfaEnrollmentRequired' } }),
      },
      createElement(SignInPage),
      '/sign-in',
    );
    input('Server address').value = 'https://kiki.agency.test';
    input('Email').value = 'ana@agency.test';
    input('Password').value = 'secret';
    await click(byText('button', 'Sign in'));
    expect(container.querySelector('[role="alert"]')?.textContent).toContain('web console');
  });
});

describe('account menu', () => {
  it('shows who is signed in and signs out only after a second, explicit discard when edits wait', async () => {
    const { rpc } = await render(
      {
        'sync.status': () => ({ ok: true, value: status({ pendingCount: 2 }) }),
        'session.signOut': (i) =>
          i.discardPending === true
            ? { ok: true, value: { discarded: 2 } }
            : { ok: false, error: { code: 'CONFLICT', message: '2 changes have not synced yet.' } },
      },
      createElement(AccountMenu),
    );
    await click(byText('button', /Ana Ruiz/));
    const panel = container.querySelector('[aria-label="Your account"]');
    expect(panel?.textContent).toContain('ana@agency.test');
    expect(panel?.textContent).toContain('Northwind Agency');
    expect(panel?.textContent).toContain('Campaign operator, all clients');

    await click(byText('button', 'Sign out'));
    expect(container.querySelector('[role="alert"]')?.textContent).toContain('2 changes have not synced yet.');
    await click(byText('button', 'Sign out and discard 2 changes'));
    expect(rpc.callsOf('session.signOut')).toEqual([{ discardPending: false }, { discardPending: true }]);
    expect(byText('a', 'Sign in').getAttribute('href')).toBe('/sign-in');
  });
});

describe('sync issues page', () => {
  const conflict: SyncIssue = {
    mutationId: 7,
    kind: 'conflict',
    summary: 'Budget of Spring Sale',
    entity: { type: 'campaign', id: '0190f0a0-0000-7000-8000-0000000000c1', label: 'Spring Sale' },
    yours: '$150.00 per day',
    theirs: '$90.00 per day',
    error: { code: 'CONFLICT', message: 'Someone changed this budget first.' },
    at: '2026-11-26T10:00:00.000Z',
  };
  const rejected: SyncIssue = {
    ...conflict,
    mutationId: 8,
    kind: 'rejected',
    summary: 'Name of Spring Sale',
    yours: 'Spring Sale EU',
    theirs: 'Spring Sale',
    error: { code: 'FORBIDDEN', message: 'You may not edit campaigns of this client.' },
  };

  it('shows both values of a conflict and resolves it with the chosen side', async () => {
    let issues = [conflict, rejected];
    const { rpc } = await render(
      {
        'sync.issues': () => ({ ok: true, value: { issues } }),
        'sync.resolveIssue': (i) => {
          issues = issues.filter((x) => x.mutationId !== i.mutationId);
          return { ok: true, value: { issues } };
        },
      },
      createElement(SyncIssuesPage),
    );
    expect(container.textContent).toContain('Yours$150.00 per day');
    expect(container.textContent).toContain('Theirs$90.00 per day');
    expect(container.textContent).toContain('You may not edit campaigns of this client.');
    expect(container.textContent).toContain('was undone');

    await click(byText('button', 'Keep mine'));
    expect(rpc.callsOf('sync.resolveIssue')).toEqual([{ mutationId: 7, choice: 'mine' }]);
    expect(container.textContent).not.toContain('Budget of Spring Sale');

    await click(byText('button', 'Dismiss'));
    expect(container.textContent).toContain('No sync issues');
  });
});
