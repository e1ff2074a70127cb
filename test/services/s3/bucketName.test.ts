import {describe, expect, it} from 'vitest';
import {validateBucketName} from '../../../source/services/s3/bucketName.js';

describe('validateBucketName', () => {
  it.each(['wines-models', 'abc', 'a'.repeat(63), 'models.v1.example', '1wines9'])(
    'accepts %s',
    (name) => {
      expect(validateBucketName(name)).toBeUndefined();
    },
  );

  it('refuses names shorter than 3 or longer than 63 characters', () => {
    expect(validateBucketName('ab')).toMatch(/3 to 63 characters/);
    expect(validateBucketName('a'.repeat(64))).toMatch(/3 to 63 characters/);
  });

  it('refuses underscores, naming the rule and the fix', () => {
    expect(validateBucketName('wines_models')).toBe(
      'bucket names may not contain underscores (S3 naming rules): use wines-models instead of wines_models',
    );
  });

  it('refuses upper-case letters with the lower-case fix', () => {
    expect(validateBucketName('Wines-Models')).toBe(
      'bucket names may not contain upper-case letters (S3 naming rules): use wines-models instead of Wines-Models',
    );
  });

  it('refuses other characters', () => {
    expect(validateBucketName('wines models')).toMatch(/only lower-case letters, digits, dots/);
    expect(validateBucketName('wines/models')).toMatch(/only lower-case letters, digits, dots/);
  });

  it('refuses names that do not start and end with a letter or digit', () => {
    expect(validateBucketName('-wines')).toMatch(/start and end with a letter or a digit/);
    expect(validateBucketName('wines-')).toMatch(/start and end with a letter or a digit/);
    expect(validateBucketName('.wines')).toMatch(/start and end with a letter or a digit/);
  });

  it('refuses two dots in a row', () => {
    expect(validateBucketName('wines..models')).toMatch(/two dots in a row/);
  });

  it('refuses names formatted like an IP address', () => {
    expect(validateBucketName('192.168.5.4')).toMatch(/IP address/);
    expect(validateBucketName('192.168.5.4.models')).toBeUndefined();
  });

  it('refuses reserved prefixes and suffixes', () => {
    expect(validateBucketName('xn--wines')).toMatch(/may not start with "xn--"/);
    expect(validateBucketName('sthree-wines')).toMatch(/may not start with "sthree-"/);
    expect(validateBucketName('wines-s3alias')).toMatch(/may not end with "-s3alias"/);
    expect(validateBucketName('wines--ol-s3')).toMatch(/may not end with "--ol-s3"/);
  });
});
