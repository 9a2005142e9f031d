import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from './browser.js';

/**
 * Setup file of the `browser` project: the tests drive the built CLI (which serves the built UI) in
 * Debian's Chromium. Without them every test would fail with a confusing timeout; say what is missing.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const missing: string[] = [];
if (!existsSync(`${root}dist/ui/index.html`)) missing.push('dist/ui/index.html (the built UI)');
if (!existsSync(`${root}dist/bundle/main.js`)) missing.push('dist/bundle/main.js (the built CLI)');
if (missing.length > 0) {
  throw new Error(`The browser tests need a build, and ${missing.join(' and ')} is missing. Run \`npm run build\` first (\`npm test\` does).`);
}
if (!existsSync(CHROMIUM_PATH)) {
  throw new Error(`The browser tests use Debian's Chromium at ${CHROMIUM_PATH}, which is not installed. Run \`apt-get install chromium\` (.ci/run does).`);
}
