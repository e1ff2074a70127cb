/**
 * A private Kafka broker and/or MinIO for fault tests that stop and restart them, so that the
 * suite's shared services (test/support/services.ts) are never disturbed.
 *
 * It runs the real scripts/kafka.sh and scripts/minio.sh on ports of its own. Those scripts keep
 * data, pid and lock files in <repo>/.cache/run, a path they derive from where the script lives and
 * that no variable overrides; so the scripts run from a throwaway root of symlinks (scripts,
 * node_modules, and the downloaded Kafka jars / built MinIO binary in .cache), which gives them a
 * run folder of their own. The jars and the binary must already be there (the suite's global setup
 * puts them there).
 */
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, rm, symlink} from 'node:fs/promises';
import {createServer} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {repoRoot, runProcess} from './process.js';
import type {S3Target} from './services.js';

/**
 * Ports nothing listens on, all different: every socket stays bound until all are picked, or the
 * kernel may hand the same port out twice (two listeners on one port: the broker will not start).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({length: count}, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              if (address === null || typeof address === 'string')
                reject(new Error('no free port'));
              else resolve(address.port);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Why a private stack cannot run here, or undefined; callers pass it to requireOrSkip (ci.ts). */
export function privateStackUnavailable(): string | undefined {
  const cache = path.join(repoRoot, '.cache');
  if (!existsSync(path.join(cache, 'kafka'))) return 'no Kafka jars in .cache/kafka';
  if (!existsSync(path.join(cache, 'minio', 'bin', 'minio')))
    return 'no MinIO binary in .cache/minio';
  return undefined;
}

export class PrivateStack {
  private constructor(
    readonly root: string,
    private readonly ports: Record<string, number>,
  ) {}

  static async create(): Promise<PrivateStack> {
    const root = await mkdtemp(path.join(os.tmpdir(), 'wine-tui-private-stack-'));
    const link = (relative: string) =>
      symlink(path.join(repoRoot, relative), path.join(root, relative));
    await mkdir(path.join(root, 'scripts', 'lib'), {recursive: true});
    await mkdir(path.join(root, 'scripts', 'kafka'), {recursive: true});
    await mkdir(path.join(root, '.cache'), {recursive: true});
    await Promise.all(
      [
        'scripts/kafka.sh',
        'scripts/minio.sh',
        'scripts/kafka-ready.ts',
        'scripts/lib/stack.sh',
        // The broker's certificates are made afresh under this root's .cache/tls (a second).
        'scripts/lib/tls.sh',
        'scripts/kafka/pom.xml',
        'node_modules',
        '.cache/kafka',
        '.cache/minio',
      ].map(link),
    );
    const names = [
      'WINE_TUI_STACK_KAFKA_PORT',
      'WINE_TUI_STACK_KAFKA_SASL_PORT',
      'WINE_TUI_STACK_KAFKA_CONTROLLER_PORT',
      'WINE_TUI_STACK_KAFKA_SSL_PORT',
      'WINE_TUI_STACK_KAFKA_SASL_SSL_PORT',
      'WINE_TUI_STACK_KAFKA_SCRAM_PORT',
      'WINE_TUI_STACK_KAFKA_MTLS_PORT',
      'WINE_TUI_STACK_KAFKA_WRONG_HOST_PORT',
      'WINE_TUI_STACK_MINIO_PORT',
      'WINE_TUI_STACK_MINIO_CONSOLE_PORT',
    ];
    const free = await freePorts(names.length);
    const ports = Object.fromEntries(names.map((name, i) => [name, free[i]!]));
    return new PrivateStack(root, ports);
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.ports.WINE_TUI_STACK_KAFKA_PORT}`];
  }

  /** The stack's throw-away MinIO credentials (scripts/lib/stack.sh). */
  get s3(): S3Target {
    return {
      endpoint: `http://127.0.0.1:${this.ports.WINE_TUI_STACK_MINIO_PORT}`,
      region: 'us-east-1',
      accessKeyId: 'winetui',
      secretAccessKey: 'winetui-secret-key',
    };
  }

  kafka(action: 'up' | 'down'): Promise<void> {
    return this.script('kafka.sh', action);
  }

  minio(action: 'up' | 'down'): Promise<void> {
    return this.script('minio.sh', action);
  }

  /** Stops whatever runs and removes the root (data included). */
  async destroy(): Promise<void> {
    await Promise.allSettled([this.kafka('down'), this.minio('down')]);
    await rm(this.root, {recursive: true, force: true});
  }

  private async script(name: string, action: string, timeoutMs = 180_000): Promise<void> {
    const result = await runProcess('bash', [path.join(this.root, 'scripts', name), action], {
      cwd: this.root,
      // Not childEnv: the stack scripts honour the developer's WINE_TUI_STACK_* settings (e.g. the
      // ready timeout of a slow machine); only the ports are this stack's own.
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(this.ports).map(([k, v]) => [k, String(v)])),
      },
      timeoutMs,
    });
    if (result.code !== 0)
      throw new Error(
        `${name} ${action} failed (${result.code ?? result.signal}):\n${result.stderr}`,
      );
  }
}
