import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {
  artifactKey,
  canonicalJson,
  parseArtifact,
  sealArtifact,
  serialiseArtifact,
  versionFromKey,
  versionId,
  type ArtifactContent,
  type ModelArtifact,
} from '../../source/ml/artifact.js';
import {ModelError} from '../../source/ml/errors.js';
import {train} from '../../source/ml/model.js';

const csv = fs.readFileSync(path.resolve(import.meta.dirname, '../../data/wines_SPA.csv'));
const createdAt = new Date('2026-11-23T10:15:00.250Z');

let artifact: ModelArtifact;
let bytes: Buffer;
beforeAll(async () => {
  ({artifact} = await train({csv, appVersion: '0.1.0', createdAt}));
  bytes = serialiseArtifact(artifact);
});

/** Re-seals edited content the way an attacker who knows the format would, bypassing sealArtifact's checks. */
function forge(edit: (content: Record<string, unknown>) => void): Buffer {
  const {
    id: _id,
    integrity: _integrity,
    ...content
  } = structuredClone(artifact) as Record<string, unknown>;
  edit(content);
  const digest = createHash('sha256').update(canonicalJson(content)).digest('hex');
  const forged = {
    ...content,
    id: versionId(new Date(String(content.created_at)), digest),
    integrity: {algorithm: 'sha256', digest},
  };
  return Buffer.from(`${canonicalJson(forged)}\n`);
}

function refusal(input: Buffer | string): string {
  try {
    parseArtifact(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    const message = (error as Error).message;
    expect(message).not.toMatch(/\n/);
    return message;
  }
  throw new Error('the artifact was accepted');
}

describe('artifact round trip', () => {
  it('parses back to the same artifact, and serialises deterministically', () => {
    expect(parseArtifact(bytes)).toEqual(artifact);
    expect(serialiseArtifact(parseArtifact(bytes)).equals(bytes)).toBe(true);
    expect(parseArtifact(bytes.toString('utf8'))).toEqual(artifact);
  });

  it('carries the schema, a version id derived from its digest, and its provenance', () => {
    expect(artifact.schema).toBe('wine-tui/model@2');
    expect(artifact.id).toBe(`2026-11-23/T101500Z-${artifact.integrity.digest.slice(0, 8)}`);
    expect(artifact.created_at).toBe('2026-11-23T10:15:00.250Z');
    expect(artifact.wine_tui_version).toBe('0.1.0');
    expect(artifact.data.sha256).toBe(createHash('sha256').update(csv).digest('hex'));
    expect(artifact.model.weights).toHaveLength(artifact.features.columns);
  });
});

describe('tampered artifacts are refused', () => {
  it('refuses a changed weight', () => {
    const text = bytes.toString('utf8');
    const weight = String(artifact.model.weights[5]);
    const changed = text.replace(`,${weight},`, `,${Number(weight) * 1.01},`);
    expect(changed).not.toBe(text);
    expect(refusal(changed)).toMatch(/failed its integrity check/);
  });

  it('refuses a change of any single byte', () => {
    const text = bytes.toString('utf8');
    const positions = [
      text.indexOf('"weights"') + 12,
      text.indexOf('"created_at"') + 20,
      text.indexOf('"digest"') + 15,
      bytes.length - 1, // the final newline
      ...Array.from({length: 150}, (_, i) => Math.floor((i * bytes.length) / 150)),
    ];
    for (const position of positions) {
      for (const mask of [0x01, 0x20]) {
        const flipped = Buffer.from(bytes);
        flipped[position] = (flipped[position] as number) ^ mask;
        expect(() => parseArtifact(flipped), `byte ${position} ^ ${mask}`).toThrow(ModelError);
      }
    }
  });

  it('refuses a re-spelling that parses to the same content', () => {
    const text = bytes.toString('utf8');
    for (const respelt of [
      text.replace('"Artadi"', '"\\u0041rtadi"'),
      text.replace(`"median":${artifact.baseline.median}`, `"median":${artifact.baseline.median}0`),
      text.replace('{"baseline"', '{ "baseline"'),
    ]) {
      expect(respelt).not.toBe(text);
      expect(refusal(respelt)).toMatch(/not byte-for-byte as written/);
    }
  });

  it('refuses an id that does not belong to the content', () => {
    const text = bytes.toString('utf8').replace(artifact.id, '2026-11-23/T101500Z-00000000');
    expect(refusal(text)).toMatch(/id 2026-11-23\/T101500Z-00000000 does not match its content/);
  });

  it('refuses bytes that are not UTF-8, not JSON or not an object', () => {
    expect(refusal(Buffer.from([0xff, 0xfe, 0x7b]))).toMatch(/not UTF-8/);
    expect(refusal('{"schema": ')).toMatch(/^model artifact is not valid JSON/);
    expect(refusal('[1, 2]')).toMatch(/must be a JSON object/);
  });
});

describe('schema violations are refused even when re-sealed', () => {
  it('refuses another schema version', () => {
    const forged = forge((content) => (content.schema = 'wine-tui/model@3'));
    expect(refusal(forged)).toBe(
      'model artifact schema "wine-tui/model@3" is not supported; expected wine-tui/model@1 or wine-tui/model@2',
    );
    // A model@2 artifact relabelled model@1 keeps fields model@1 cannot have.
    expect(refusal(forge((content) => (content.schema = 'wine-tui/model@1')))).toMatch(
      /^model artifact is invalid: schema: wine-tui\/model@1 cannot hold model@2 fields/,
    );
  });

  it('refuses weights that do not match the columns', () => {
    const forged = forge((content) => (content.model as {weights: number[]}).weights.pop());
    expect(refusal(forged)).toBe(
      `model artifact is invalid: model.weights: has ${artifact.features.columns - 1} weights for ${artifact.features.columns} columns`,
    );
  });

  it.each<[string, (content: Record<string, unknown>) => void, RegExp]>([
    ['a missing field', (c) => delete c.metrics, /^model artifact is invalid: metrics: /],
    [
      'an extra field',
      (c) => (c.code = 'process.exit()'),
      /^model artifact is invalid: \(root\): .*code/,
    ],
    [
      'a weight that is a string',
      (c) => ((c.model as {weights: unknown[]}).weights[0] = '0.5'),
      /^model artifact is invalid: model\.weights\.0: /,
    ],
    [
      'a zero scale',
      (c) => ((c.features as {numerical: {std: number}[]}).numerical[0]!.std = 0),
      /^model artifact is invalid: features\.numerical\.0\.std: /,
    ],
    [
      'a bad option',
      (c) => ((c.training as {options: {alpha: number}}).options.alpha = -1),
      /^model artifact is invalid: training\.options\.alpha: must be a number >= 0/,
    ],
    [
      'features that differ from the options',
      (c) => ((c.training as {options: {features: string[]}}).options.features = ['rating']),
      /^model artifact is invalid: features: encode .* but training used rating/,
    ],
    [
      'a vocabulary that disagrees with the column count',
      (c) => (c.features as {columns: number}).columns++,
      /^model artifact is invalid: features\.columns: /,
    ],
  ])('refuses %s', (_name, edit, message) => {
    expect(refusal(forge(edit))).toMatch(message);
  });

  it('will not seal inconsistent content either', () => {
    const {id: _id, integrity: _integrity, ...content} = structuredClone(artifact);
    content.model.weights.push(0);
    expect(() => sealArtifact(content as ArtifactContent)).toThrow(/^cannot seal model artifact/);
  });
});

describe('version ids and keys', () => {
  const digest = 'abcdef0123456789'.repeat(4);
  const id = versionId(new Date('2026-11-23T10:15:00.999Z'), digest);

  it('makes a dated, time-ordered id from the time and the digest', () => {
    expect(id).toBe('2026-11-23/T101500Z-abcdef01');
    expect(versionId(new Date('2026-01-02T03:04:05Z'), digest) < id).toBe(true);
    expect(() => versionId(new Date('nonsense'), digest)).toThrow(ModelError);
    expect(() => versionId(new Date(), 'xyz')).toThrow(ModelError);
  });

  it('maps ids to keys and back', () => {
    expect(artifactKey('models/', id)).toBe('models/2026-11-23/T101500Z-abcdef01.json');
    expect(artifactKey('models', id)).toBe('models/2026-11-23/T101500Z-abcdef01.json');
    expect(artifactKey('', id)).toBe('2026-11-23/T101500Z-abcdef01.json');
    expect(versionFromKey('models/', artifactKey('models/', id))).toBe(id);
    expect(versionFromKey('models', artifactKey('models/', id))).toBe(id);
    expect(versionFromKey('', artifactKey('', id))).toBe(id);
    expect(() => artifactKey('models/', '../etc/passwd')).toThrow(ModelError);
  });

  it('ignores keys that are not versions', () => {
    expect(versionFromKey('models/', 'models/active.json')).toBeNull();
    expect(versionFromKey('models/', 'other/2026-11-23/T101500Z-abcdef01.json')).toBeNull();
    expect(versionFromKey('models/', 'models/2026-11-23/T101500Z-abcdef01.json.tmp')).toBeNull();
    expect(versionFromKey('models/', 'models/2026-11-23/T101500Z-ABCDEF01.json')).toBeNull();
  });
});
