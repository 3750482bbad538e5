import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

/** Shown for render errors a page did not handle itself. */
export function RouteErrorPage() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;
  return (
    <div className="state-panel" role="alert">
      <h1 className="state-title">Something went wrong on this page</h1>
      <p className="state-text">
        {error instanceof Error ? error.message : 'An unexpected error occurred.'} Reload the page; if it keeps
        happening, report it with what you clicked.
      </p>
      <Link className="button button-primary" to="/dashboard">
        Go to the dashboard
      </Link>
    </div>
  );
}

export function NotFoundPage() {
  return (
    <div className="state-panel" role="alert">
      <h1 className="state-title">This page does not exist</h1>
      <p className="state-text">
        The link may be out of date. Go back to the dashboard to find what you were looking for.
      </p>
      <Link className="button button-primary" to="/dashboard">
        Go to the dashboard
      </Link>
    </div>
  );
}
