import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The rules of the house (docs/architecture.md): which room may import which, and where the
// doors to the outside (external programs, process.exit) are. builder/test/lint/house.test.ts
// proves each rule fails a deliberate violation.

/** Another package of ours, by name, except the ones listed. */
const ourPackagesExcept = (...allowed) => ({
  regex: allowed.length === 0 ? '^@lab/' : `^@lab/(?!(?:${allowed.join('|')})(?:/|$))`,
  message: allowed.length === 0 ? 'shared imports nothing of ours: it is the lab model everything else stands on.' : `this package may import only ${allowed.map((a) => `@lab/${a}`).join(', ')} of ours (docs/architecture.md).`,
});
/** A relative path that leaves the package for a sibling package's folder. */
const siblingByPath = {
  regex: '^(\\.\\./)+(shared|iso|templates|builder|agent|test|bench)/',
  message: 'import another package by its name (@lab/…), never by a relative path into its folder.',
};
/** The CLI is the top floor: rooms below it never import it. */
const intoCli = {
  regex: '^(\\.\\./)+cli(/|$)',
  message: 'nothing outside cli/ imports cli/: throw a UserError (base/) and let the command map it; put flag parsing and help in cli/.',
};
const programs = [
  { name: 'execa', message: 'external programs run only behind an adapter in a tools/ folder.' },
  { name: 'node:child_process', message: 'external programs run only behind an adapter in a tools/ folder.' },
  { name: 'child_process', message: 'external programs run only behind an adapter in a tools/ folder.' },
];

/** no-restricted-imports for a room: its package bans, the program ban unless it is a tools/ folder, the cli ban unless it is cli/. */
const imports = ({ patterns, tools = false, cli = false }) => [
  'error',
  { paths: tools ? [] : programs, patterns: [...patterns, ...(cli ? [] : [intoCli])] },
];

const rooms = [
  { pkg: 'shared', patterns: [ourPackagesExcept(), siblingByPath] },
  { pkg: 'iso', patterns: [ourPackagesExcept('shared'), siblingByPath] },
  { pkg: 'templates', patterns: [ourPackagesExcept('shared'), siblingByPath] },
  { pkg: 'agent', patterns: [ourPackagesExcept('shared'), siblingByPath] },
  { pkg: 'builder', patterns: [ourPackagesExcept('shared', 'iso', 'templates'), siblingByPath] },
];
const src = (pkg) => (pkg === 'templates' ? 'templates' : `${pkg}/src`);

const houseRules = rooms.flatMap(({ pkg, patterns }) => [
  { files: [`${src(pkg)}/**/*.ts`], rules: { 'no-restricted-imports': imports({ patterns }) } },
  { files: [`${src(pkg)}/**/tools/**/*.ts`], rules: { 'no-restricted-imports': imports({ patterns, tools: true }) } },
  { files: [`${src(pkg)}/cli/**/*.ts`], rules: { 'no-restricted-imports': imports({ patterns, cli: true }) } },
]);

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/fixtures/out/**', 'examples/**/state/**', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', setImmediate: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='exit']", message: 'Only a CLI entry (builder/src/cli/main.ts, agent/src/main.ts) calls process.exit; return an exit code instead.' }],
    },
  },
  ...houseRules,
  // Programs of their own, each its own process: the CLI entries, build scripts, benchmarks, and
  // the fixture programs tests start as child processes (stand-ins, probes).
  { files: ['builder/src/cli/main.ts', 'agent/src/main.ts', 'scripts/**', 'builder/bin/**', 'bench/**', 'test/fixtures/**'], rules: { 'no-restricted-syntax': 'off' } },
  // Tests and benchmarks are exempt from the room rules on purpose: they drive external programs
  // (QEMU, xorriso, ip netns, sshd) directly as the harness, and they import whichever floor they
  // exercise, the CLI included. They are not part of the shipped house.
);
