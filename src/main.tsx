import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startAutosavedDashboard } from './state/autosave-startup';
import { DashboardContext } from './state/store';
// Page-wide rules first: each panel's own CSS (imported by its component) comes after them.
import './ui/styles.css';
import { App } from './ui/App';

// The store owns the worker; the page only ever talks to the store. It starts from the
// autosaved run when there is one (a short IndexedDB read first).
const store = await startAutosavedDashboard();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <DashboardContext.Provider value={store}>
      <App />
    </DashboardContext.Provider>
  </StrictMode>,
);
