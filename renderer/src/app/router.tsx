import { lazy, Suspense, type ReactNode } from 'react';
import { createHashRouter, Navigate } from 'react-router';
import { AppShell } from './AppShell';
import { NotFoundPage, RouteErrorPage } from './RouteErrorPage';
import { LoadingState } from '../ui/StateViews';

// Pages load on first visit so start-up only pays for the shell; victory lives in the chunks that chart.
const DashboardPage = lazy(() => import('../features/dashboard/DashboardPage'));
const CampaignsPage = lazy(() => import('../features/campaigns/CampaignsPage'));
const CampaignDetailPage = lazy(() => import('../features/campaign-detail/CampaignDetailPage'));
const AdDetailPage = lazy(() => import('../features/ad-detail/AdDetailPage'));

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
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
