// ESLint flat config. Kept small on purpose: the security rules (no eval, no new Function,
// no string setTimeout), typescript-eslint's recommended correctness rules, and the import
// boundaries of the map in docs/architecture.md (the page reaches the engine only through
// src/engine/index.ts); formatting and style are left to the code's authors.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/', 'coverage/', 'public/', 'artifacts/', '.cache/', 'src/engine/wasm/generated/', 'node_modules/'],
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Code from strings: user text is parsed, never evaluated (ARCHITECTURE.md).
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-script-url': 'error',
      // The type-aware version also catches setTimeout/setInterval/execScript given any
      // string-typed value, not only a string literal.
      'no-implied-eval': 'off',
      '@typescript-eslint/no-implied-eval': 'error',
      // tsc already reports unused names (noUnusedLocals/Parameters) and, like it, a leading
      // underscore marks a parameter an interface requires but this implementation ignores.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // docs/architecture.md: ui/ and state/ use the engine's public surface only, so the
    // engine's rooms (layers, kernels, the snapshot reader) can change shape behind it.
    files: ['src/ui/**/*.{ts,tsx}', 'src/state/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)engine/.+',
              message: 'Import the engine through src/engine/index.ts (docs/architecture.md, "What each folder may import").',
            },
          ],
        },
      ],
    },
  },
);
