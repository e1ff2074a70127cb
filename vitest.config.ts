import {defineConfig} from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    pool: 'forks',
    // Starts Kafka and MinIO (scripts/services.sh); it has no timeout of its own, which the first
    // run needs (Maven download + MinIO build from source, ~5-10 min).
    // Before any test file loads kafkajs (see the file).
    setupFiles: ['test/support/kafkajsFilter.ts'],
    globalSetup: ['test/support/buildSetup.ts', 'test/support/globalSetup.ts'],
    // Integration tests talk to a real broker: consumer-group joins alone take seconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Stopping the broker the setup started can take a while (graceful, then SIGKILL at 30 s).
    teardownTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: {json: '.cache/vitest-report.json'},
    // The AWS SDK warns on every worker that its 2027 releases will need Node 22 (we run 20).
    env: {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
    // Deliberately no CI=true here: Ink then prints only the last frame; component tests decide.
  },
});
