// ESLint flat config for `npm run lint`, which also runs knip (knip.jsonc: unused files, exports and
// dependencies, and import cycles). Syntax-only typescript-eslint presets: the type-aware ones would
// cost another full type-check, and `npm test` already runs tsc.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Every program's tsconfig, so `.js` specifiers find their `.ts` files and the UI's extensionless ones resolve. */
const TSCONFIGS = ['tsconfig.json', 'ui/tsconfig.json', 'test/browser/tsconfig.json'];

/**
 * The folders that the boundary policies below speak of. The first pattern a file matches gives its
 * type, so the server's inner folders come before `server` itself.
 */
const ELEMENTS = [
  { type: 'protocol', pattern: 'protocol' },
  { type: 'server-filter', pattern: 'server/filter' },
  { type: 'server-ingest', pattern: 'server/ingest' },
  { type: 'server-viewers', pattern: 'server/viewers' },
  { type: 'server-backlog', pattern: 'server/backlog' },
  { type: 'server', pattern: 'server' },
  { type: 'agent', pattern: 'agent' },
  { type: 'lib', pattern: 'lib' },
  { type: 'cli', pattern: 'cli' },
  { type: 'bench', pattern: 'bench' },
  { type: 'ui', pattern: 'ui' },
  { type: 'test', pattern: 'test' },
].map((element) => ({ ...element, partialMatch: false }));

const SERVER = ['server', 'server-filter', 'server-ingest', 'server-viewers', 'server-backlog'];

/** Which folder may import which, type-only imports included. Anything not named here is allowed. */
const BOUNDARY_POLICIES = [
  {
    from: { element: { type: 'protocol' } },
    disallow: { to: { element: { type: '!protocol' } } },
    message: 'protocol/ imports nothing of ours, only itself and npm packages ({{dependency.source}})',
  },
  {
    from: { element: { type: 'server-filter' } },
    disallow: { to: { element: { type: ['server-ingest', 'server-viewers', 'server-backlog'] } } },
    message: 'server/filter/ imports nothing from server/ingest/, server/viewers/ or server/backlog/ ({{dependency.source}})',
  },
  {
    from: { element: { type: 'server-viewers' } },
    disallow: { to: { element: { type: 'server-ingest' } } },
    message: 'server/viewers/ imports nothing from server/ingest/ ({{dependency.source}})',
  },
  {
    from: { element: { type: 'ui' } },
    disallow: { to: { element: { type: '!(ui|protocol)' } } },
    message: 'ui/ imports only protocol/ and its own files ({{dependency.source}})',
  },
  {
    from: { element: { type: 'agent' } },
    disallow: { to: { element: { type: SERVER } } },
    message: 'agent/ imports nothing from server/ ({{dependency.source}})',
  },
  {
    from: { element: { type: SERVER } },
    disallow: { to: { element: { type: 'agent' } } },
    message: 'server/ imports nothing from agent/ ({{dependency.source}})',
  },
];

export default defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'bench/results/**', 'ui/public/**', '.stryker-tmp/**', 'reports/**'],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js}'],
    plugins: { boundaries },
    settings: {
      // eslint-plugin-boundaries resolves imports through eslint-plugin-import's resolver setting.
      'import/resolver': { typescript: { project: TSCONFIGS, noWarnOnMultipleProjects: true } },
      'boundaries/elements': ELEMENTS,
      'boundaries/legacy-templates': false,
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'allow', policies: BOUNDARY_POLICIES }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // Off: a log tool's job is to find and escape control characters in hostile lines and ANSI codes.
      'no-control-regex': 'off',
      // A `let` read by a callback made before its one assignment would be in its TDZ as a `const`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // The two classic hook rules only: the React Compiler ones in the plugin's preset assume the
    // compiler, which this UI does not use (it keeps the latest props in refs during render).
    files: ['ui/**/*.{ts,tsx}', 'test/ui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
