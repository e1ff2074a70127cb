import type {AnnouncementRecord} from './announcements.js';

/*
 * Aliases name the versions with a role, as MLflow's @champion: `champion` answers requests (what
 * "active" meant before aliases), `challenger` is scored beside it. Each announcement on `train`
 * sets or clears one alias; one without an alias sets the champion, so topics written before
 * aliases existed read as they always did. Who set what, and when, is the topic itself.
 */

export const ALIASES = ['champion', 'challenger'] as const;
export type AliasName = (typeof ALIASES)[number];

export function isAliasName(name: string): name is AliasName {
  return (ALIASES as readonly string[]).includes(name);
}

/** The alias an announcement sets or clears. */
export function aliasOf(record: Pick<AnnouncementRecord, 'alias'>): AliasName {
  return record.alias ?? 'champion';
}

export function isClear(record: Pick<AnnouncementRecord, 'action'>): boolean {
  return record.action === 'clear';
}

/** Whether a record makes its version the champion: what serve and predict follow. */
export function setsChampion(record: Pick<AnnouncementRecord, 'alias' | 'action'>): boolean {
  return aliasOf(record) === 'champion' && !isClear(record);
}

/** Each alias's current holder after these records (oldest first); cleared aliases are absent. */
export function currentAliases(history: AnnouncementRecord[]): Map<AliasName, AnnouncementRecord> {
  const aliases = new Map<AliasName, AnnouncementRecord>();
  for (const record of history) {
    if (isClear(record)) aliases.delete(aliasOf(record));
    else aliases.set(aliasOf(record), record);
  }
  return aliases;
}

/** The champion: the newest record that set it. */
export function championOf(history: AnnouncementRecord[]): AnnouncementRecord | undefined {
  return currentAliases(history).get('champion');
}

/** The aliases each version holds now. */
export function aliasesByVersion(history: AnnouncementRecord[]): Map<string, AliasName[]> {
  const byVersion = new Map<string, AliasName[]>();
  for (const [alias, record] of currentAliases(history)) {
    byVersion.set(record.version, [...(byVersion.get(record.version) ?? []), alias]);
  }
  return byVersion;
}

/** One alias as `models alias list` shows it. */
export interface AliasEntry {
  alias: AliasName;
  version: string;
  set_at: string;
  set_by: string;
}

/** The aliases held now, champion first. */
export function aliasEntries(history: AnnouncementRecord[]): AliasEntry[] {
  return ALIASES.flatMap((alias) => {
    const record = currentAliases(history).get(alias);
    return record
      ? [{alias, version: record.version, set_at: record.announced_at, set_by: record.announced_by}]
      : [];
  });
}
