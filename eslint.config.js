// `npm run lint`: typescript-eslint's recommended rules everywhere, React's hook rules in the
// wall's pages. Not type-aware: the type-checked set costs minutes on a 2-core CI machine and
// `npm run typecheck` already runs. A rule turned off here says why on its line.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_GLOBALS = ['process', 'Buffer', 'global', '__dirname', '__filename', 'require', 'module', 'exports', 'setImmediate', 'clearImmediate'];

export default tseslint.config(
  {
    ignores: ['**/node_modules/', '**/dist/', 'artifacts/', 'bench/results/', '.data/', 'data/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` is how this code says "taken apart on purpose and unused" (`{ password: _pw, ...rest }`, `(_e, data) =>`)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // `let server!: Server` is read by callbacks made before it is assigned (net.createServer(() => server.#accept()))
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // CommonJS configs (dependency-cruiser reads .cjs): require is how they load
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['wall-ui/src/**/*.{ts,tsx}'],
    ignores: ['wall-ui/src/index.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      // the effects that leave a dependency out say why beside an eslint-disable
      'react-hooks/exhaustive-deps': 'error',
      // mqtt.js's typings pull @types/node into the pages' program, so tsc cannot refuse these there
      'no-restricted-globals': ['error', ...NODE_GLOBALS.map((name) => ({ name, message: 'wall-ui/src runs in the browser: Node globals are not there.' }))],
      'no-restricted-syntax': [
        'error',
        { selector: "TSQualifiedName[left.name='NodeJS']", message: 'wall-ui/src runs in the browser: no NodeJS types.' },
        { selector: "TSTypeReference > Identifier[name='Buffer']", message: 'wall-ui/src runs in the browser: use Uint8Array, not Buffer.' },
      ],
    },
  },
);
