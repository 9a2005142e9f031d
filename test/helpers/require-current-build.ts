import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

/**
 * Global setup of the `integration` and `browser` projects: they run the built CLI
 * (`bin/supergrep` -> dist/bundle/main.js), and the browser tests the built UI too. A source edited
 * after the last build would be tested as it was, not as it is, so refuse to start on a stale build
 * and say which file is newer. Compared by modification time: a fresh checkout (git sets every
 * mtime to the checkout's time) needs a build first, as `npm test` does.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What each build output is built from. */
const BUILDS = [
  { output: 'dist/bundle', sources: ['agent', 'server', 'cli', 'lib', 'protocol'], projects: ['integration', 'browser'] },
  { output: 'dist/ui', sources: ['ui', 'protocol'], projects: ['browser'] },
];

/**
 * The most recently changed file or directory under `dir` (skipping node_modules; a directory's time
 * changes when a file in it is removed or renamed), or undefined for a missing tree.
 */
function newestChange(dir: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  const note = (path: string): void => {
    const { mtimeMs } = statSync(path);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  };
  const walk = (path: string): void => {
    note(path);
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) note(child);
    }
  };
  try {
    walk(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return newest;
}

/** The oldest file under `dir`: when the build that wrote it all started, or undefined if missing. */
function oldestFile(dir: string): number | undefined {
  let oldest: number | undefined;
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) oldest = Math.min(oldest ?? Infinity, statSync(child).mtimeMs);
    }
  };
  try {
    walk(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return oldest;
}

/** Why the build `project` runs is not current, or undefined when it is. */
export function staleBuild(projectName: string, base = root): string | undefined {
  for (const { output, sources, projects } of BUILDS) {
    if (!projects.includes(projectName)) continue;
    const builtAt = oldestFile(join(base, output));
    if (builtAt === undefined) return `${output} is missing: run \`npm run build\` first (\`npm test\` does)`;
    for (const source of sources) {
      const newest = newestChange(join(base, source));
      if (newest && newest.mtimeMs > builtAt) {
        return `${output} is older than ${relative(base, newest.path)}: run \`npm run build\` (\`npm test\` does), or the ${projectName} tests would run the code as it was at the last build`;
      }
    }
  }
  return undefined;
}

export default function setup(project: TestProject): void {
  const problem = staleBuild(project.name);
  if (problem) throw new Error(problem);
}
