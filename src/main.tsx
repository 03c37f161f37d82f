import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startDashboard } from './state/bridge';
import { DashboardContext } from './state/store';
import { App } from './ui/App';
import './ui/styles.css';

// The store owns the worker; the page only ever talks to the store.
const store = startDashboard();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <DashboardContext.Provider value={store}>
      <App />
    </DashboardContext.Provider>
  </StrictMode>,
);
