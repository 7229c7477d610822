// One flat config for the whole workspace: type-checked typescript-eslint over every package.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Sibling packages by path, never by name (applies everywhere). */
const NO_SIBLING_SRC = {
  group: ['@firehose/*/src', '@firehose/*/src/*', '**/packages/*/src/*'],
  message: "Import a sibling package by its name (e.g. '@firehose/protocol'), never its src/.",
};

/**
 * The one direction of imports (docs/architecture.md#packages-and-imports):
 * protocol ← schema ← {broker, client} ← cli ← apps, and the aedes forks only under the broker.
 * Each row: a package's source files and the workspace packages they may import. Tests are not
 * the package: a client test may start a broker.
 */
const LAYERS = [
  { files: 'packages/protocol', may: [] },
  { files: 'packages/schema', may: ['protocol'] },
  {
    files: 'packages/broker',
    may: ['protocol', 'schema', 'aedes', 'aedes-persistence', 'aedes-persistence-redis'],
  },
  { files: 'packages/client', may: ['protocol', 'schema'] },
  { files: 'packages/cli', may: ['protocol', 'schema', 'broker', 'client'] },
  { files: 'apps/*', may: ['protocol', 'schema', 'broker', 'client', 'cli'] },
];
const ORDER = 'protocol ← schema ← {broker, client} ← cli ← apps; the aedes forks only under the broker';

function layerConfig({ files, may }) {
  const allowed = may.map((name) => `@firehose/${name}`);
  return {
    files: [`${files}/src/**/*.{ts,tsx}`],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_SIBLING_SRC,
            {
              group: ['@firehose/*', ...allowed.flatMap((name) => [`!${name}`, `!${name}/*`])],
              message: `${files}/src may import ${allowed.length ? allowed.join(', ') : 'no workspace package'} (imports flow one way: ${ORDER}; docs/architecture.md#packages-and-imports).`,
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    // The aedes forks keep upstream's code style (neostandard) so their diff to upstream stays small.
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      '**/test-output/**',
      '**/.turbo/**',
      'packages/aedes/**',
      'packages/aedes-persistence/**',
      'packages/aedes-persistence-redis/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [NO_SIBLING_SRC] }],
    },
  },
  ...LAYERS.map(layerConfig),
  {
    // A cycle works only by the order modules happen to load in (or a lazy import); break it by
    // moving what both sides need into a module of its own. Type-only cycles, which import-x
    // ignores, are caught by scripts/import-cycles.mjs in `pnpm lint`.
    files: ['**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          conditionNames: ['@firehose/source', 'types', 'import', 'default'],
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // A command's definition is what `firehose --help` loads: data only. Its implementation, and
    // with it the client, the schema and the broker, is imported by its `run` when the command runs
    // (docs/architecture.md#decisions).
    files: ['packages/cli/src/definitions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(?!\.\./command\.js$|\./shared-options\.js$|\.\./output/template\.js$)`,
              allowTypeImports: true,
              message:
                "A command definition imports only '../command.js', './shared-options.js' and '../output/template.js': it is loaded for --help, so what its run needs is imported by run.",
            },
          ],
        },
      ],
    },
  },
  {
    // Libraries take an injected logger; only the CLI and apps own the terminal.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/cli/src/**', '**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
