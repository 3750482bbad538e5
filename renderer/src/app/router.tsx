import { lazy, Suspense, type ReactNode } from 'react';
import { createHashRouter, Navigate } from 'react-router';
import { AppShell } from './AppShell';
import { NotFoundPage, RouteErrorPage } from './RouteErrorPage';
import { LoadingState } from '../ui/StateViews';

// Pages load on first visit so start-up only pays for the shell; victory lives in the chunks that chart.
const routeModules = {
  dashboard: () => import('../features/dashboard/DashboardPage'),
  campaigns: () => import('../features/campaigns/CampaignsPage'),
  campaignDetail: () => import('../features/campaign-detail/CampaignDetailPage'),
  adDetail: () => import('../features/ad-detail/AdDetailPage'),
  signIn: () => import('../features/account/SignInPage'),
  syncIssues: () => import('../features/sync/SyncIssuesPage'),
};
const DashboardPage = lazy(routeModules.dashboard);
const CampaignsPage = lazy(routeModules.campaigns);
const CampaignDetailPage = lazy(routeModules.campaignDetail);
const AdDetailPage = lazy(routeModules.adDetail);
const SignInPage = lazy(routeModules.signIn);
const SyncIssuesPage = lazy(routeModules.syncIssues);

/**
 * Starts loading the first page's chunk while the shell asks core for its status, instead of after: the two
 * would otherwise run one after the other at start-up.
 */
export function prefetchRouteFor(hash: string): void {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const load = path.startsWith('/sign-in')
    ? routeModules.signIn
    : path.startsWith('/sync/issues')
      ? routeModules.syncIssues
      : path.startsWith('/ads/')
        ? routeModules.adDetail
        : path.startsWith('/campaigns/')
          ? routeModules.campaignDetail
          : path.startsWith('/campaigns')
            ? routeModules.campaigns
            : routeModules.dashboard;
  load().catch((error: unknown) => console.error('Could not preload the first page', error));
}

function page(element: ReactNode): ReactNode {
  return <Suspense fallback={<LoadingState label="Loading page" />}>{element}</Suspense>;
}

export function createAppRouter() {
  return createHashRouter([
    {
      path: '/',
      element: <AppShell />,
      errorElement: <RouteErrorPage />,
      children: [
        { index: true, element: <Navigate to="/dashboard" replace /> },
        { path: 'dashboard', element: page(<DashboardPage />) },
        { path: 'campaigns', element: page(<CampaignsPage />) },
        { path: 'campaigns/:campaignId', element: page(<CampaignDetailPage />) },
        { path: 'ads/:adId', element: page(<AdDetailPage />) },
        { path: 'sign-in', element: page(<SignInPage />) },
        { path: 'sync/issues', element: page(<SyncIssuesPage />) },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
