// ESLint: typescript-eslint's type-aware recommended rules over the whole tree (src, test,
// scripts), run by `npm test` (`npm run lint`). Formatting is Prettier's job, so
// eslint-config-prettier switches off every rule that would argue with it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The generated API types (scripts/openapi.ts writes them) are checked by tsc, not linted.
  { ignores: ['node_modules/', '.tools/', 'test-results/', 'src/http/client/api-types.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '.dependency-cruiser.cjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A leading underscore names a value kept on purpose (an Express error handler's fourth
      // argument, a field destructured out so the rest can be passed on).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // mongoose schemas and models are declared `any` on purpose: letting tsc relate mongoose's
    // generic Model types costs minutes and gigabytes of heap (src/db/models.ts says more).
    // What is read from them is typed where it is read (`lean<T>()`), which the no-unsafe rules check.
    files: ['src/db/*models.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests read HTTP answers through supertest, whose `res.body` is `any` by design: the
    // assertions are what check its shape. Everything else stays on.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The pages' browser scripts run in the browser, untyped, served as they are.
    files: ['src/pages/public/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['*.js', '*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  prettier,
);
