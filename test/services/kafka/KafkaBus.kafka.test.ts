import path from 'node:path';
import {ConfigResourceTypes} from 'kafkajs';
import {afterEach, describe, expect, it} from 'vitest';
import {ConnectionError} from '../../../source/services/errors.js';
import {KafkaBus} from '../../../source/services/kafka/KafkaBus.js';
import type {KafkaSettings} from '../../../source/services/config/settings.js';
import {requireOrSkip} from '../../support/ci.js';
import {repoRoot, runTsx} from '../../support/process.js';
import {kafkaTarget, unavailableReason, uniqueName} from '../../support/services.js';
import {describeMessageBusContract} from '../ports/MessageBus.contract.js';
import {freePorts} from '../../support/stack.js';
import {deleteTopics, withAdmin} from '../../support/kafka.js';

const target = kafkaTarget();
const skip = requireOrSkip(!target && unavailableReason('kafka'), 'KafkaBus tests');

function settings(overrides: Partial<KafkaSettings> = {}): KafkaSettings {
  return {
    brokers: target?.brokers ?? [],
    clientId: 'wine-tui-test',
    ssl: false,
    groupId: 'wine-tui-test',
    autoOffsetReset: 'latest',
    ...overrides,
  };
}

describe.skipIf(skip)('KafkaBus', () => {
  describeMessageBusContract('KafkaBus', async () => {
    const bus = new KafkaBus(settings());
    return {bus, kind: 'kafka', another: () => new KafkaBus(settings()), cleanup: async () => {}};
  });

  describe('connections', {timeout: 60_000}, () => {
    const buses: KafkaBus[] = [];
    const open = (overrides: Partial<KafkaSettings>, logs?: string[]) => {
      const bus = new KafkaBus(settings(overrides), {
        onLog: logs ? (level, line) => logs.push(`${level} ${line}`) : undefined,
        logLevel: 'debug',
      });
      buses.push(bus);
      return bus;
    };

    afterEach(async () => {
      await Promise.all(buses.splice(0).map((bus) => bus.close()));
    });

    it('publishes and tails over SASL PLAIN with the right password', async () => {
      const bus = open({
        brokers: target!.saslBrokers,
        sasl: {mechanism: 'plain', username: target!.saslUsername, password: target!.saslPassword},
      });
      expect(bus.description).toContain(target!.saslUsername);
      expect(bus.description).not.toContain(target!.saslPassword);
      const topic = uniqueName('kafkabus-sasl');
      await bus.ensureTopics([topic]);
      const received: string[] = [];
      const tail = bus.tail(topic, {from: 'latest'}, (message) => {
        received.push(message.value!.toString());
      });
      await tail.ready;
      expect((await bus.publish(topic, {value: 'over sasl'})).offset).toBe(0);
      for (let waited = 0; received.length < 1 && waited < 20_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(received).toEqual(['"over sasl"']);
    });

    it('rejects a wrong password with a ConnectionError naming the user, not the password', async () => {
      const password = 'not-the-winetui-password';
      const logs: string[] = [];
      const bus = open(
        {
          brokers: target!.saslBrokers,
          sasl: {mechanism: 'plain', username: target!.saslUsername, password},
        },
        logs,
      );
      const error = await bus.publish(uniqueName('kafkabus-badpw'), {value: 1}).catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toMatch(/authentication/i);
      expect(error.message).toContain(target!.saslUsername);
      expect(error.message).not.toContain(password);
      expect(error.message.split('\n')).toHaveLength(1);
      // kafkajs logged the failure at debug level, and nothing it logged holds the password.
      expect(logs.some((line) => /authentication failed/i.test(line))).toBe(true);
      expect(logs.filter((line) => line.includes(password))).toEqual([]);
      // A tail reports the same failure through `ready`.
      const tail = bus.tail(uniqueName('kafkabus-badpw'), {from: 'earliest'}, () => {});
      await expect(tail.ready).rejects.toThrow(/authentication/i);
    });

    it('rejects an unreachable broker with a ConnectionError naming it', async () => {
      const broker = `127.0.0.1:${(await freePorts(1))[0]}`;
      const bus = open({brokers: [broker]});
      const error = await bus.publish('unreachable', {value: 1}).catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toContain(broker);
      expect(error.message).toContain('bootstrap.servers');
      await expect(bus.listTopics()).rejects.toBeInstanceOf(ConnectionError);
      const tail = bus.tail('unreachable', {from: 'latest'}, () => {});
      await expect(tail.ready).rejects.toBeInstanceOf(ConnectionError);
    });

    it('reports a missing CA file as a configuration error', async () => {
      const bus = open({ssl: true, caFile: '/nonexistent/ca.pem'});
      await expect(bus.listTopics()).rejects.toThrow(/\/nonexistent\/ca\.pem/);
    });

    it('lets the process exit by itself after close', async () => {
      const output = await runTsx(
        [
          path.join(repoRoot, 'test/services/fixtures/bus-lifecycle.ts'),
          'kafka',
          target!.brokers.join(','),
        ],
        {timeoutMs: 45_000, name: 'the process that closed its bus'},
      );
      expect(output).toContain('closed');
    });
  });

  describe('topics', {timeout: 60_000}, () => {
    const made: string[] = [];
    let bus: KafkaBus | undefined;

    afterEach(async () => {
      await bus?.close();
      bus = undefined;
      await deleteTopics(target!.brokers, made.splice(0));
    });

    it('creates the topics named compacted with cleanup.policy=compact, and only those', async () => {
      bus = new KafkaBus(settings());
      const [compacted, plain] = [uniqueName('kafkabus-compact'), uniqueName('kafkabus-plain')];
      made.push(compacted, plain);
      expect((await bus.ensureTopics([compacted, plain], {compacted: [compacted]})).sort()).toEqual(
        [compacted, plain].sort(),
      );
      const policies = await withAdmin(target!.brokers, async (admin) => {
        const {resources} = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [compacted, plain].map((name) => ({
            type: ConfigResourceTypes.TOPIC,
            name,
            configNames: ['cleanup.policy'],
          })),
        });
        return Object.fromEntries(
          resources.map((r) => [
            r.resourceName,
            r.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue,
          ]),
        );
      });
      expect(policies).toEqual({[compacted]: 'compact', [plain]: 'delete'});
    });
  });
});
