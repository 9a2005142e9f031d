import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Tests do not enable vitest globals, so testing-library cannot register its own cleanup.
afterEach(() => cleanup());
