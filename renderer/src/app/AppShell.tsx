import { useMemo, useRef } from 'react';
import { NavLink, Outlet, useSearchParams } from 'react-router';
import { effectiveToday, toIsoDate } from '../lib/date-presets';
import { carriedQuery } from '../lib/query-state';
import { useRpcQuery } from '../lib/use-rpc-query';
import { ClientSwitcher } from '../features/filters/ClientSwitcher';
import { DateRangePicker } from '../features/filters/DateRangePicker';
import { ErrorState, LoadingState } from '../ui/StateViews';
import { AppDataContext, type AppData } from './app-data-context';

export function AppShell() {
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
            {appData !== null && (
              <AppDataContext.Provider value={appData}>
                <ClientSwitcher />
                <DateRangePicker />
              </AppDataContext.Provider>
            )}
          </header>
          <main id="main-content" ref={mainRef} tabIndex={-1} className="main">
            {appData !== null ? (
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
