import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {S3ModelStore} from '../../../source/services/s3/S3ModelStore.js';
import {requireOrSkip} from '../../support/ci.js';
import {runCli, type VersionRow} from '../../support/cli.js';
import {awsEnv, s3Client, s3Settings} from '../../support/s3.js';
import {s3Target, unavailableReason, uniqueName, type S3Target} from '../../support/services.js';

// ListObjectsV2 answers at most 1,000 keys per page: with more versions than that, listing must
// follow the continuation tokens, or versions past the first page silently disappear.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const target = s3Target();
const skip = requireOrSkip(!target && unavailableReason('s3'), 'S3 pagination tests');

const VERSIONS = 1_005;
const PUT_CONCURRENCY = 32;

/** Version i: one second apart from midnight UTC, so newest first = highest i first. */
function version(i: number): {id: string; createdAt: string} {
  const at = new Date(Date.UTC(2025, 0, 2, 0, 0, i));
  const [date, time] = at.toISOString().split('T') as [string, string];
  const hhmmss = time.slice(0, 8).replaceAll(':', '');
  return {
    id: `${date}/T${hhmmss}Z-${i.toString(16).padStart(8, '0')}`,
    createdAt: at.toISOString(),
  };
}

/** The user metadata ModelRegistry.publish writes (and list reads back). */
function metadata(i: number, body: Buffer) {
  return {
    'wine-tui-version': version(i).id,
    sha256: createHash('sha256').update(body).digest('hex'),
    'created-at': version(i).createdAt,
    r2: String(0.5 + i / 10_000),
    rmse: String(100 + i),
    mae: String(50 + i),
    mape: String(0.3 + i / 100_000),
  };
}

async function inParallel(count: number, limit: number, run: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < count) await run(next++);
  };
  await Promise.all(Array.from({length: limit}, worker));
}

describe.skipIf(skip)(`listing ${VERSIONS} versions on MinIO (more than one page)`, () => {
  const minio = target as S3Target;
  const bucket = uniqueName('wine-tui-pages');
  const bodies = Array.from({length: VERSIONS}, (_, i) => Buffer.from(`{"version":${i}}`));
  let admin: S3Client;
  let stateDir: string;

  beforeAll(async () => {
    admin = s3Client(minio);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-pages-'));
    await admin.send(new CreateBucketCommand({Bucket: bucket}));
    await inParallel(VERSIONS, PUT_CONCURRENCY, async (i) => {
      await admin.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `models/${version(i).id}.json`,
          Body: bodies[i],
          Metadata: metadata(i, bodies[i]!),
        }),
      );
    });
    // Not versions: under the prefix but not a version key, and outside the prefix.
    for (const Key of ['models/README.txt', 'other/2025-01-02/T000000Z-00000000.json']) {
      await admin.send(new PutObjectCommand({Bucket: bucket, Key, Body: 'x'}));
    }
  }, 120_000);

  afterAll(async () => {
    fs.rmSync(stateDir, {recursive: true, force: true});
    if (!admin) return;
    for await (const page of paginateListObjectsV2({client: admin}, {Bucket: bucket})) {
      const objects = (page.Contents ?? []).map(({Key}) => ({Key}));
      if (objects.length > 0) {
        await admin.send(new DeleteObjectsCommand({Bucket: bucket, Delete: {Objects: objects}}));
      }
    }
    await admin.send(new DeleteBucketCommand({Bucket: bucket}));
    admin.destroy();
  }, 120_000);

  it('really needs a second page: one ListObjectsV2 call stops at 1,000 keys', async () => {
    const page = await admin.send(new ListObjectsV2Command({Bucket: bucket, Prefix: 'models/'}));
    expect(page.KeyCount).toBe(1_000);
    expect(page.IsTruncated).toBe(true);
  });

  it('S3ModelStore.list returns every object under the prefix, with its metadata', async () => {
    const store = new S3ModelStore(s3Settings(minio, bucket));
    try {
      const objects = await store.list('models/');
      const expected = [
        ...bodies.map((_, i) => `models/${version(i).id}.json`),
        'models/README.txt',
      ].sort();
      expect(objects.map((o) => o.key).sort()).toEqual(expected);
      const byKey = new Map(objects.map((o) => [o.key, o]));
      for (const i of [0, 999, 1_000, VERSIONS - 1]) {
        const object = byKey.get(`models/${version(i).id}.json`)!;
        expect(object.metadata).toEqual(metadata(i, bodies[i]!));
        expect(object.size).toBe(bodies[i]!.length);
      }
    } finally {
      await store.close();
    }
  }, 60_000);

  it('models list --json shows every version, newest first, with the metrics of its metadata', async () => {
    // S3 endpoint only: the embedded bus (nothing announced) and this bucket as the store.
    const result = await runCli(
      [
        'models',
        'list',
        '--json',
        '--s3-endpoint',
        minio.endpoint,
        '--bucket',
        bucket,
        '--state-dir',
        stateDir,
        '--config-dir',
        stateDir,
      ],
      {env: awsEnv(minio), timeoutMs: 90_000},
    );
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as VersionRow[];
    expect(rows).toHaveLength(VERSIONS);
    const newestFirst = bodies.map((_, i) => version(i).id).reverse();
    expect(rows.map((r) => r.version)).toEqual(newestFirst);
    for (const row of [rows[0]!, rows[5]!, rows.at(-1)!]) {
      const i = parseInt(row.version.slice(-8), 16);
      const meta = metadata(i, bodies[i]!);
      expect(row).toMatchObject({
        key: `models/${row.version}.json`,
        created_at: meta['created-at'],
        sha256: meta.sha256,
        size: bodies[i]!.length,
        announced: false,
        active: false,
      });
      expect(row.metrics).toEqual({
        r2: Number(meta.r2),
        rmse: Number(meta.rmse),
        mae: Number(meta.mae),
        mape: Number(meta.mape),
      });
    }
  }, 120_000);
});
