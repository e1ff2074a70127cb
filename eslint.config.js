import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';

/** The layers: dependencies point inward, commands -> screens -> services -> ml. */
const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', {patterns: forbidden.map((regex) => ({regex, message}))}],
  },
});

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', '.cache/', 'coverage/']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  reactHooks.configs.flat['recommended-latest'],
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_'},
      ],
    },
  },
  layer(
    ['source/ml/**'],
    ['(^|/)(services|screens|commands)/', '^(kafkajs|@aws-sdk/.*|ink.*|react|@alcalzone/.*)$'],
    'source/ml knows nothing of Kafka, S3, Ink or the layers above it',
  ),
  layer(
    ['source/services/**'],
    ['(^|/)(screens|commands)/', '^(ink.*|react|@alcalzone/.*)$'],
    'services never import screens, commands or Ink',
  ),
  layer(
    ['source/screens/**'],
    ['(^|/)commands/', '^(kafkajs|@aws-sdk/.*)$'],
    'screens never import commands, and reach Kafka and S3 only through services',
  ),
  prettier,
);
