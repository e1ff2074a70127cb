import {validateBucketName} from '../s3/bucketName.js';
import {ConfigError} from '../errors.js';
import type {ConfigFile} from './configFile.js';
import type {LayeredValue} from './precedence.js';
import type {S3File} from './schema.js';
import type {S3Settings} from './settings.js';

function parseBoolean(value: string, source: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${source} must be true or false (got ${JSON.stringify(value)})`);
}

/** The settings of s3_config.yaml that a variable or a flag can override, as resolved. */
export interface S3Layered {
  endpoint: LayeredValue | undefined;
  bucket: LayeredValue | undefined;
  region: LayeredValue | undefined;
  pathStyle: LayeredValue | undefined;
}

/** s3_config.yaml with its overrides, checked; credentials stay with the AWS chain. */
export function s3Settings(
  {values: s3File, shown}: ConfigFile<S3File>,
  layered: S3Layered,
  env: NodeJS.ProcessEnv,
): S3Settings {
  const endpoint = layered.endpoint?.value || undefined;
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ConfigError(
      `${shown}: endpoint ${JSON.stringify(endpoint)} is not a URL: write it as http(s)://host:port, or leave it empty for AWS`,
    );
  }

  const bucket = layered.bucket ?? {value: 'wines-models', source: 'the default bucket'};
  const bucketProblem = validateBucketName(bucket.value);
  if (bucketProblem) throw new ConfigError(`${bucket.source}: ${bucketProblem}`);

  const pathStyle = layered.pathStyle
    ? parseBoolean(layered.pathStyle.value, layered.pathStyle.source)
    : Boolean(endpoint);
  let prefix = s3File.prefix ?? 'models/';
  if (prefix && !prefix.endsWith('/')) prefix += '/';

  return {
    ...(endpoint ? {endpoint} : {}),
    region: layered.region?.value || env.AWS_REGION || 'us-east-1',
    bucket: bucket.value,
    prefix,
    forcePathStyle: pathStyle,
  };
}
