import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router/dom';
import { createAppRpcClient } from '../lib/rpc';
import { RpcClientContext } from '../lib/rpc-context';
import { createAppRouter, prefetchRouteFor } from './router';
import './styles.css';

const rpc = createAppRpcClient(
  {
    location: window.location,
    history: window.history,
    sessionStorage: window.sessionStorage,
    kiki: window.kiki,
  },
  WebSocket,
);
prefetchRouteFor(window.location.hash);
const router = createAppRouter();

const container = document.getElementById('root');
if (container === null) throw new Error('index.html must contain <div id="root">');

createRoot(container).render(
  <StrictMode>
    <RpcClientContext.Provider value={rpc}>
      <RouterProvider router={router} />
    </RpcClientContext.Provider>
  </StrictMode>,
);
