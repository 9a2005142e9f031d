import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Bundles the CLI (cli/main.ts and everything it imports: agent/, server/, lib/, protocol/ and most
 * of node_modules) into dist/bundle/, which bin/supergrep runs (and so the integration and browser
 * tests and the benchmarks). Node's ESM loader resolving and reading some 200 separate files was
 * most of the start-up time; a few chunks load sooner and with less memory.
 * `npm run build` runs this after tsc (dist/<folder>/ keeps tsc's per-file output for the
 * benchmarks' own scripts) and the UI build.
 *
 * A Vite SSR build (Vite bundles with rolldown, so no extra dependency) that bundles dependencies
 * too. The `await import()`s in cli/*-command.ts (the hub, the agent, the demo, the canary, the
 * viewer client) become separate chunks, so a command loads only its own code.
 *
 * Source maps are written next to the chunks but not used at run time (that costs start-up); run
 * with NODE_OPTIONS=--enable-source-maps to get stack traces that point into the .ts sources.
 */

/**
 * Left to Node at run time: native addons (they load a .node file by path), packages that load
 * files or start workers by path, and optional packages a dependency require()s inside try/catch.
 * A new dependency of that kind belongs here.
 */
const EXTERNAL_PACKAGES = [
  're2', // native
  'better-sqlite3', // native, found through `bindings`
  'zstd-napi', // native, loads build/<config>/binding.node by path
  'bufferutil', // native, optional for ws
  'utf-8-validate', // native, optional for ws
  'unix-dgram', // native, optional for hot-shots
  // pino itself is bundled: lib/logger.ts writes to a file descriptor, never through a transport,
  // and loading pino's files one by one through Node slowed an agent's start; a transport
  // would start thread-stream workers by file path, so that part stays Node's.
  'thread-stream',
];
/** Every @nats-io/* package too: only a hub with --nats loads them, so they are left as published. */
const EXTERNAL_SCOPE = '@nats-io/';

const root = fileURLToPath(new URL('..', import.meta.url));
const isExternal = (id: string) =>
  id.startsWith('node:') ||
  builtinModules.includes(id) ||
  id.startsWith(EXTERNAL_SCOPE) ||
  EXTERNAL_PACKAGES.some((name) => id === name || id.startsWith(`${name}/`));

export default defineConfig({
  root,
  publicDir: false,
  envDir: false,
  build: {
    ssr: 'cli/main.ts',
    outDir: 'dist/bundle',
    emptyOutDir: true,
    target: 'node20',
    minify: false, // readable chunks; minified ones start no faster and save only ~1 MB of RSS
    sourcemap: true,
    reportCompressedSize: false,
    rolldownOptions: {
      external: isExternal,
      output: {
        format: 'es',
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
    },
  },
  // Bundle dependencies as well, not only our own modules (the SSR default leaves them to Node).
  ssr: { noExternal: true },
});
