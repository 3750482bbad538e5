import { useMemo, useRef } from 'react';
import { NavLink, Outlet, useLocation, useSearchParams } from 'react-router';
import { effectiveToday, toIsoDate } from '../lib/date-presets';
import { carriedQuery } from '../lib/query-state';
import { useRpcQuery } from '../lib/use-rpc-query';
import { ClientSwitcher } from '../features/filters/ClientSwitcher';
import { DateRangePicker } from '../features/filters/DateRangePicker';
import { AccountMenu } from '../features/account/AccountMenu';
import { FirstSyncPanel, FirstSyncSlimBar } from '../features/sync/FirstSyncProgress';
import { SyncErrorBanner } from '../features/sync/SyncErrorBanner';
import { SyncProvider } from '../features/sync/SyncProvider';
import { SyncStatusIndicator } from '../features/sync/SyncStatusIndicator';
import { useSync } from '../features/sync/sync-context';
import { ErrorState, LoadingState } from '../ui/StateViews';
import { AppDataContext, type AppData } from './app-data-context';

/** Pages that make sense before any data has arrived: they stay reachable during the first download. */
const PAGES_WITHOUT_DATA = ['/sign-in', '/sync/issues'];

export function AppShell() {
  return (
    <SyncProvider>
      <ShellLayout />
    </SyncProvider>
  );
}

function ShellLayout() {
  const sync = useSync();
  const location = useLocation();
  const status = useRpcQuery('app.status', {});
  const clients = useRpcQuery('clients.list', {});
  const [params] = useSearchParams();
  const mainRef = useRef<HTMLElement>(null);

  const appData = useMemo<AppData | null>(() => {
    if (status.data === undefined || clients.data === undefined) return null;
    const list = clients.data.clients;
    return {
      status: status.data,
      clients: list,
      clientsById: new Map(list.map((c) => [c.id, c])),
      today: effectiveToday(toIsoDate(new Date()), status.data.latestMetricDate),
      isEmpty: status.data.counts.campaigns === 0,
    };
  }, [status.data, clients.data]);

  const carried = carriedQuery(params);
  const failure = status.error ?? clients.error;
  const initialSync = sync.status?.initialSync ?? null;
  const needsData = !PAGES_WITHOUT_DATA.includes(location.pathname);
  const serverName = sync.session?.state === 'signedIn' ? sync.session.org.name : null;

  return (
    <>
      {/* A hash router owns the fragment, so the skip link moves focus itself instead of using href="#main". */}
      <a
        className="skip-link"
        href="#/"
        onClick={(event) => {
          event.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to main content
      </a>
      <div className="shell">
        <aside className="sidebar">
          <div className="brand" aria-label="KIKI Desktop">
            <span className="brand-mark" aria-hidden="true">
              K
            </span>
            <span className="brand-name">KIKI</span>
          </div>
          <nav aria-label="Main navigation">
            <ul className="nav-list">
              <li>
                <NavLink to={`/dashboard${carried}`} className="nav-link">
                  <span aria-hidden="true" className="nav-icon">
                    ◧
                  </span>
                  Dashboard
                </NavLink>
              </li>
              <li>
                <NavLink to={`/campaigns${carried}`} className="nav-link">
                  <span aria-hidden="true" className="nav-icon">
                    ☰
                  </span>
                  Campaigns
                </NavLink>
              </li>
            </ul>
          </nav>
          {appData !== null && (
            <p className="sidebar-footnote">
              Data through {appData.status.latestMetricDate ?? '—'}
              <br />v{appData.status.appVersion}
            </p>
          )}
        </aside>
        <div className="workspace">
          <header className="topbar">
            {appData !== null && needsData && (
              <AppDataContext.Provider value={appData}>
                <ClientSwitcher />
                <DateRangePicker />
              </AppDataContext.Provider>
            )}
            <div className="topbar-end">
              <SyncStatusIndicator />
              <AppDataContext.Provider value={appData}>
                <AccountMenu />
              </AppDataContext.Provider>
            </div>
          </header>
          <SyncErrorBanner />
          {initialSync !== null && initialSync.usable && <FirstSyncSlimBar progress={initialSync} />}
          <main id="main-content" ref={mainRef} tabIndex={-1} className="main">
            {initialSync !== null && !initialSync.usable && needsData ? (
              <FirstSyncPanel progress={initialSync} serverName={serverName} />
            ) : appData !== null ? (
              <AppDataContext.Provider value={appData}>
                <Outlet />
              </AppDataContext.Provider>
            ) : failure !== null ? (
              <ErrorState
                title="Cannot open your data"
                error={failure}
                onRetry={() => {
                  status.refetch();
                  clients.refetch();
                }}
                retrying={status.isFetching || clients.isFetching}
              />
            ) : (
              <LoadingState label="Opening your data" />
            )}
          </main>
        </div>
      </div>
    </>
  );
}
