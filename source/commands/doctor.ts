import {type WineTuiConfig, redact} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {readSigner, readTrustedKeys} from '../services/signing/keyFiles.js';
import type {CommandIO} from './command.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** How to fix it, when not ok. */
  fix?: string;
}

async function check(
  name: string,
  run: () => Promise<string>,
  fix: string,
  secrets: readonly string[],
): Promise<DoctorCheck> {
  try {
    return {name, ok: true, detail: await run()};
  } catch (error) {
    return {name, ok: false, detail: redact((error as Error).message, secrets), fix};
  }
}

/** Checks configuration, broker, topics, bucket and credentials; every problem comes with its fix. */
export async function doctor(config: WineTuiConfig): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [
    {
      name: 'config',
      ok: true,
      detail: `${config.configDir} (bus: ${config.bus}, store: ${config.store})`,
    },
  ];
  checks.push(signingCheck(config));
  // Trusted keys are checked above, as a check line, rather than stopping the whole doctor.
  const services = await openServices(config, {verify: false});
  try {
    const {bus, store, config: c} = services;
    let topicNames: string[] | undefined;
    checks.push(
      await check(
        'broker',
        async () => {
          const topics = await bus.listTopics();
          topicNames = topics.map((t) => t.name);
          return `${bus.description} reachable, ${topics.length} topics`;
        },
        config.bus === 'kafka'
          ? 'check bootstrap.servers, security.protocol and the sasl.* keys in kafka_config.yaml (or --brokers)'
          : `check that ${config.stateDir} is writable (or --state-dir)`,
        config.secrets,
      ),
    );
    const wanted = [c.topics.train, c.topics.predictions, c.topics.requests, c.topics.deadLetters];
    if (topicNames) {
      const missing = wanted.filter((t) => !topicNames!.includes(t));
      const present = wanted.filter((t) => topicNames!.includes(t));
      checks.push(
        missing.length === 0
          ? {name: 'topics', ok: true, detail: wanted.join(', ')}
          : config.bus === 'embedded'
            ? // The embedded bus makes a topic's log when it is first used: nothing to fix.
              {
                name: 'topics',
                ok: true,
                detail: [
                  present.length > 0 ? present.join(', ') : undefined,
                  `${missing.join(', ')} created on first use`,
                ]
                  .filter(Boolean)
                  .join('; '),
              }
            : {
                name: 'topics',
                ok: false,
                detail: `missing: ${missing.join(', ')}`,
                fix: 'run `wine-tui doctor --create-topics`, or create them on the broker (npm run services:up does for the local stack)',
              },
      );
    }
    checks.push(
      await check(
        'bucket',
        async () => {
          const objects = await store.list(c.s3.prefix);
          const versions = objects.filter((o) => o.key.endsWith('.json')).length;
          return `${store.description}, ${versions} model versions under ${c.s3.prefix}`;
        },
        config.store === 's3'
          ? 'check bucket/endpoint in s3_config.yaml and the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE)'
          : `check that ${config.stateDir} is writable (or --state-dir)`,
        config.secrets,
      ),
    );
  } finally {
    await services.close();
  }
  return checks;
}

/**
 * Signed versions: whether loaded versions are verified (and against which keys), and with which
 * key publishing signs. Not verifying is allowed, so it is said but stays healthy.
 */
function signingCheck(config: WineTuiConfig): DoctorCheck {
  const {privateKey, trustedKeys} = config.signing;
  try {
    const trusted = [...readTrustedKeys(trustedKeys).keys()];
    const signer = privateKey ? readSigner(privateKey) : undefined;
    const verifying =
      trusted.length > 0
        ? `versions are verified: only those signed by ${trusted.length === 1 ? 'key' : 'one of keys'} ${trusted.join(', ')} load`
        : 'versions are not verified (no trusted keys: set WINE_TUI_TRUSTED_KEYS or signing.trusted_keys)';
    const signing = signer
      ? `publishing signs with key ${signer.keyId}`
      : 'publishing does not sign (no signing key)';
    return {name: 'signing', ok: true, detail: `${verifying}; ${signing}`};
  } catch (error) {
    return {
      name: 'signing',
      ok: false,
      detail: redact((error as Error).message, config.secrets),
      fix: 'point WINE_TUI_SIGNING_KEY / WINE_TUI_TRUSTED_KEYS (or signing: in s3_config.yaml) at the PEM files of `wine-tui keys generate`',
    };
  }
}

export async function createTopics(config: WineTuiConfig): Promise<void> {
  const services = await openServices(config);
  try {
    const t = config.topics;
    // The status topic too, compacted: created plain by someone else, it would grow forever.
    await services.bus.ensureTopics([t.train, t.predictions, t.requests, t.deadLetters, t.status], {
      compacted: [t.status],
    });
  } finally {
    await services.close();
  }
}

export function printDoctor(checks: DoctorCheck[], io: CommandIO, json: boolean): number {
  const healthy = checks.every((c) => c.ok);
  if (json) {
    io.stdout(JSON.stringify({healthy, checks}));
  } else {
    for (const c of checks) {
      io.stdout(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(7)} ${c.detail}`);
      if (!c.ok && c.fix) io.stdout(`     fix: ${c.fix}`);
    }
    io.stdout(healthy ? 'healthy' : 'problems found');
  }
  return healthy ? 0 : 2;
}
