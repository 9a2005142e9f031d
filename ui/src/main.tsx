import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.js';
import { ErrorBoundary } from './components/error-boundary.js';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ErrorBoundary what="The page">
      <App />
    </ErrorBoundary>
  </StrictMode>,
);
