import {z} from 'zod';

/** The two files of the config folder and what each may hold. */

export const KAFKA_FILE = 'kafka_config.yaml';
export const S3_FILE = 's3_config.yaml';
export type ConfigFileName = typeof KAFKA_FILE | typeof S3_FILE;

const optionalString = z.string().optional();

// Keys are librdkafka's (dotted) so an existing kafka_config.yaml or Confluent client config works as is.
export const kafkaFileSchema = z
  .object({
    'bootstrap.servers': optionalString,
    'security.protocol': z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).optional(),
    'sasl.mechanisms': z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
    'sasl.mechanism': z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
    'sasl.username': optionalString,
    'sasl.password': optionalString,
    'ssl.ca.location': optionalString,
    'ssl.certificate.location': optionalString,
    'ssl.key.location': optionalString,
    'ssl.key.password': optionalString,
    'ssl.endpoint.identification.algorithm': z.enum(['https', 'none']).optional(),
    'group.id': optionalString,
    'auto.offset.reset': z.enum(['earliest', 'latest', 'smallest', 'largest']).optional(),
    'client.id': optionalString,
    // Present in Confluent Cloud's generated client config; harmless here.
    'session.timeout.ms': z.number().int().positive().optional(),
    'client.dns.lookup': optionalString,
    acks: z.union([z.string(), z.number()]).optional(),
    topics: z
      .object({
        train: optionalString,
        app_messages: optionalString,
        requests: optionalString,
        dead_letters: optionalString,
        status: optionalString,
        shadow: optionalString,
      })
      .strict()
      .optional(),
  })
  .strict();

export const s3FileSchema = z
  .object({
    endpoint: optionalString,
    region: optionalString,
    bucket: optionalString,
    prefix: optionalString,
    path_style: z.boolean().optional(),
    // Signed versions: paths to PEM files, relative to the config folder.
    signing: z
      .object({
        private_key: optionalString,
        trusted_keys: z.union([z.array(z.string()), z.string()]).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type KafkaFile = z.infer<typeof kafkaFileSchema>;
export type S3File = z.infer<typeof s3FileSchema>;

/** The keys a schema allows at a path of nested mappings (none if the path leads nowhere). */
export function knownKeys(schema: z.ZodObject, keys: PropertyKey[]): string[] {
  let current: z.ZodType = schema;
  for (const key of keys) {
    const shape = (current as z.ZodObject).shape as Record<string, z.ZodType> | undefined;
    const next = shape?.[String(key)];
    if (!next) return [];
    current = next instanceof z.ZodOptional ? (next.unwrap() as z.ZodType) : next;
  }
  return Object.keys((current as z.ZodObject).shape ?? {});
}
