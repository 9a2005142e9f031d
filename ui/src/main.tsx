import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Root } from './app/root.js';
import { ErrorBoundary } from './components/error-boundary.js';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ErrorBoundary what="The page">
      <Root />
    </ErrorBoundary>
  </StrictMode>,
);
