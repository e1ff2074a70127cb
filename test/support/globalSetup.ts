/**
 * Vitest global setup: brings up the real Kafka broker and MinIO (scripts/services.sh) for the
 * integration tests and tells the test workers where they are (see test/support/services.ts).
 *
 * - Per service: if the caller set its variables (WINE_TUI_TEST_KAFKA_* or WINE_TUI_TEST_S3_*,
 *   *_UNAVAILABLE included), it is used as given and not started; a needed service whose variables
 *   are not given is started here. Giving only Kafka's therefore still starts MinIO.
 * - A service that cannot start (no java, mvn or go; a port taken; ...) or that the caller gave as
 *   unavailable makes its integration tests skip with the reason, except under CI (CI=true or 1),
 *   where a skip would hide a failure: the run fails (test/support/ci.ts).
 * - Several vitest runs may share the stack (one work tree, several terminals). Each run holds a
 *   lease; the last one out stops the services that a test run started, never ones that were
 *   already running (e.g. from `npm run services:up`).
 */
import {spawn} from 'node:child_process';
import {mkdir, readFile, readdir, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type {TestProject} from 'vitest/node';
import {isCi} from './ci.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RUN = path.join(ROOT, '.cache/run');
const LEASES = path.join(RUN, 'test-leases');
/** The first run downloads Kafka and builds MinIO from source: minutes, not seconds. */
const UP_TIMEOUT_MS = 15 * 60_000;

const SERVICES = {
  kafka: {
    script: 'kafka.sh',
    pidFile: 'kafka/kafka.pid',
    testPrefix: 'WINE_TUI_TEST_KAFKA',
    address: 'WINE_TUI_TEST_KAFKA_BROKERS',
  },
  minio: {
    script: 'minio.sh',
    pidFile: 'minio/minio.pid',
    testPrefix: 'WINE_TUI_TEST_S3',
    address: 'WINE_TUI_TEST_S3_ENDPOINT',
  },
} as const;
type Service = keyof typeof SERVICES;
const NAMES = Object.keys(SERVICES) as Service[];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script; its stderr (progress) is shown as it comes and also kept for the reasons. */
function run(script: string, args: string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(ROOT, 'scripts', script), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({code, stdout, stderr}));
  });
}

function parseExports(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const match of text.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) {
    vars[match[1]!] = match[2]!;
  }
  return vars;
}

async function readPid(service: Service): Promise<string | undefined> {
  try {
    return (await readFile(path.join(RUN, SERVICES[service].pidFile), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** The pid of the service if it runs now (per its own script's status), else undefined. */
async function runningPid(service: Service): Promise<string | undefined> {
  const status = await run(SERVICES[service].script, ['status']);
  return status.code === 0 ? readPid(service) : undefined;
}

const markerFile = (service: Service) => path.join(RUN, service, 'started-by-tests');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Serialises stack changes and lease bookkeeping between concurrent vitest runs. */
async function withStackLock<T>(action: () => Promise<T>): Promise<T> {
  await mkdir(LEASES, {recursive: true});
  const release = await lockfile.lock(LEASES, {
    stale: 30_000,
    update: 5_000,
    // Another run may hold the lock through a first-time build: wait as long as that can take.
    retries: {retries: UP_TIMEOUT_MS / 1000, factor: 1, minTimeout: 1000, maxTimeout: 1000},
    onCompromised: (error) => console.warn(`[globalSetup] stack lock: ${error.message}`),
  });
  try {
    return await action();
  } finally {
    await release();
  }
}

async function liveLeases(): Promise<number[]> {
  const pids = (await readdir(LEASES)).map(Number).filter(Number.isInteger);
  const live: number[] = [];
  for (const pid of pids) {
    if (isAlive(pid)) live.push(pid);
    else await rm(path.join(LEASES, String(pid)), {force: true});
  }
  return live;
}

async function stopWhatTestsStarted(): Promise<void> {
  await withStackLock(async () => {
    await rm(path.join(LEASES, String(process.pid)), {force: true});
    const others = await liveLeases();
    if (others.length > 0) {
      console.error(
        `[globalSetup] stack left up for concurrent vitest run(s): ${others.join(', ')}`,
      );
      return;
    }
    await Promise.all(
      NAMES.map(async (service) => {
        const marker = await readFile(markerFile(service), 'utf8').catch(() => undefined);
        if (marker === undefined) return;
        // Only if the process is still the one a test run started (not a later manual `up`).
        if (marker.trim() === (await readPid(service)))
          await run(SERVICES[service].script, ['down']);
        await rm(markerFile(service), {force: true});
      }),
    );
  });
}

/**
 * Which services the selected test files need, by their names (`*.kafka.test.ts`,
 * `*.minio.test.ts`, `*.kafka-minio.test.ts`): a run of unit tests alone needs no Java or Go.
 */
async function neededServices(project: TestProject): Promise<Service[]> {
  // The CLI file filters; vitest 4 keeps them on an internal field (absent: all files).
  const filters = (project.vitest as unknown as {filenamePattern?: string[]}).filenamePattern;
  const names = (await project.globTestFiles(filters)).testFiles.map((file) => path.basename(file));
  return NAMES.filter((service) => {
    const tags = service === 'kafka' ? ['kafka', 'kafka-minio'] : ['minio', 'kafka-minio'];
    return names.some((name) => tags.some((tag) => name.includes(`.${tag}.test.`)));
  });
}

/** The services whose variables the caller set, with what is wrong with each (if anything). */
function givenServices(): Map<Service, string | undefined> {
  const given = new Map<Service, string | undefined>();
  for (const service of NAMES) {
    const {testPrefix, address} = SERVICES[service];
    const names = Object.keys(process.env).filter((name) => name.startsWith(`${testPrefix}_`));
    if (names.length === 0) continue;
    console.error(`[globalSetup] ${service}: using what the caller gave (${names.join(', ')})`);
    const unavailable = process.env[`${testPrefix}_UNAVAILABLE`];
    given.set(
      service,
      process.env[address]
        ? undefined
        : (unavailable ?? `${names.join(', ')} given without ${address}`),
    );
  }
  return given;
}

/** Starts the needed services that were not given; sets their variables for the workers. */
async function startServices(toStart: Service[], reasons: string[]): Promise<void> {
  const up = await withStackLock(async () => {
    await writeFile(path.join(LEASES, String(process.pid)), '');
    const before = Object.fromEntries(
      await Promise.all(toStart.map(async (s) => [s, await runningPid(s)] as const)),
    );
    const result = await run('services.sh', ['up', ...toStart], UP_TIMEOUT_MS);
    for (const service of toStart) {
      const pid = await runningPid(service);
      if (pid !== undefined && pid !== before[service]) await writeFile(markerFile(service), pid);
    }
    return result;
  });

  const all = parseExports((await run('services.sh', ['test-env'])).stdout);
  const vars: Record<string, string> = {};
  for (const service of toStart) {
    const {testPrefix, address} = SERVICES[service];
    // Only the variables of what was started here: a given service keeps the caller's.
    for (const [name, value] of Object.entries(all))
      if (name.startsWith(`${testPrefix}_`)) vars[name] = value;
    // Running is not enough: provisioning (topics, bucket) must have worked too.
    const failed = [...up.stderr.matchAll(new RegExp(`^\\[${service}\\] FAILED: (.*)$`, 'gm'))];
    if (address in vars && failed.length === 0) continue;
    for (const name of Object.keys(vars)) if (name.startsWith(`${testPrefix}_`)) delete vars[name];
    const reason =
      failed.map((match) => match[1]).join('; ') ||
      `scripts/services.sh up exited with code ${up.code ?? 'null (timed out)'}`;
    vars[`${testPrefix}_UNAVAILABLE`] = `${service} unavailable: ${reason}`;
    reasons.push(`${service}: ${reason}`);
  }
  // Workers are forked after this returns and inherit process.env (checked with vitest 4.1).
  Object.assign(process.env, vars);
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const needed = await neededServices(project);
  const given = givenServices();
  const reasons: string[] = [];
  for (const service of needed) {
    const problem = given.get(service);
    if (problem === undefined) continue;
    reasons.push(`${service}: ${problem}`);
    // So that the tests' skip message gives the reason.
    process.env[`${SERVICES[service].testPrefix}_UNAVAILABLE`] ??=
      `${service} unavailable: ${problem}`;
  }
  const toStart = needed.filter((service) => !given.has(service));
  if (toStart.length > 0) await startServices(toStart, reasons);

  if (reasons.length > 0) {
    if (isCi()) {
      if (toStart.length > 0) await stopWhatTestsStarted();
      throw new Error(`CI is set and real services are unavailable: ${reasons.join('; ')}`);
    }
    console.error(`[globalSetup] their integration tests will be skipped: ${reasons.join('; ')}`);
  }
  if (toStart.length > 0) return stopWhatTestsStarted;
}
