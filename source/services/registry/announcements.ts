import os from 'node:os';
import {z} from 'zod';
import type {BusMessage, MessageBus, PublishResult} from '../ports/MessageBus.js';
import {readTopic} from '../messages/readTopic.js';

/**
 * Announcements on the `train` topic: which version holds which alias (aliases.ts); the newest
 * record for an alias wins, so a rollback is one more announcement. Anything on the topic that is not an announcement is skipped with a
 * warning, never fatal.
 */

export interface HeadlineMetrics {
  r2: number;
  rmse: number;
  mae: number;
  mape: number;
}

const metricsSchema = z.object({
  r2: z.number(),
  rmse: z.number(),
  mae: z.number(),
  mape: z.number(),
});

export const announcementSchema = z.object({
  version: z.string().min(1),
  bucket: z.string(),
  key: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  metrics: metricsSchema,
  created_at: z.string(),
  announced_at: z.string(),
  announced_by: z.string(),
  // Signed versions only: the signer's key id and the base64 ed25519 signature of the sha256.
  key_id: z.string().optional(),
  signature: z.string().optional(),
  // The alias this record sets or clears (aliases.ts); absent = champion, as before aliases.
  alias: z.enum(['champion', 'challenger']).optional(),
  action: z.enum(['set', 'clear']).optional(),
});

export type Announcement = z.infer<typeof announcementSchema>;

/** An announcement as read back, with where it sits on the topic. */
export interface AnnouncementRecord extends Announcement {
  partition: number;
  offset: number;
  timestamp: number;
}

export function defaultAnnouncer(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (containers): keep "unknown".
  }
  return `${user}@${os.hostname()}`;
}

/** Publishes an announcement, stamped now; resolves once the broker acknowledged it. */
export function announce(
  bus: MessageBus,
  topic: string,
  fields: Omit<Announcement, 'announced_at'>,
): Promise<PublishResult> {
  // Field by field, so the message keeps the documented order with announced_at before announced_by.
  const announcement: Announcement = {
    version: fields.version,
    bucket: fields.bucket,
    key: fields.key,
    sha256: fields.sha256,
    metrics: fields.metrics,
    created_at: fields.created_at,
    announced_at: new Date().toISOString(),
    announced_by: fields.announced_by,
    ...(fields.signature && fields.key_id
      ? {key_id: fields.key_id, signature: fields.signature}
      : {}),
    ...(fields.alias ? {alias: fields.alias, action: fields.action ?? 'set'} : {}),
  };
  return bus.publish(topic, {key: announcement.version, value: announcement});
}

/** What an announcement record says, without where it sits on the topic or when it was made. */
export function announcedFields(record: AnnouncementRecord): Omit<Announcement, 'announced_at'> {
  const {partition, offset, timestamp, announced_at, ...fields} = record;
  void [partition, offset, timestamp, announced_at];
  return fields;
}

/** Parses one `train` message; undefined (and a warning) for anything that is not an announcement. */
export function parseAnnouncement(
  value: Buffer | null,
  where: string,
  onWarning: (message: string) => void,
): Announcement | undefined {
  if (!value) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    onWarning(`${where}: not JSON, skipped`);
    return undefined;
  }
  const parsed = announcementSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    onWarning(
      `${where}: not an announcement (${issue.path.join('.') || 'value'}: ${issue.message}), skipped`,
    );
    return undefined;
  }
  return parsed.data;
}

/** A `train` message as an announcement with its place on the topic; undefined if it is not one. */
export function announcementRecord(
  message: BusMessage,
  onWarning: (message: string) => void,
): AnnouncementRecord | undefined {
  const where = `${message.topic}/${message.partition}@${message.offset}`;
  const announcement = parseAnnouncement(message.value, where, onWarning);
  if (!announcement) return undefined;
  return {
    ...announcement,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
  };
}

/** Every announcement on the topic, oldest first. */
export async function announcementHistory(
  bus: MessageBus,
  topic: string,
  onWarning: (message: string) => void,
): Promise<AnnouncementRecord[]> {
  const messages = await readTopic(bus, topic);
  return messages.flatMap((message) => announcementRecord(message, onWarning) ?? []);
}
