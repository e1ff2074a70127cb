import type {ConfigFile} from './configFile.js';
import {KAFKA_FILE, S3_FILE, type ConfigFileName} from './schema.js';

/** The command-line flags that override the files and the environment. */
export interface ConfigOverrides {
  configDir?: string;
  brokers?: string;
  s3Endpoint?: string;
  bucket?: string;
  stateDir?: string;
}

/** Where one setting can be given. Precedence: file < environment < flag. */
interface LayeredSetting {
  /** `section`: the mapping of the file the key sits in (e.g. `signing:`), if not at the top. */
  file?: {name: ConfigFileName; key: string; section?: string};
  env?: string;
  flag?: {name: string; override: keyof ConfigOverrides};
  /**
   * What a variable set to '' means: 'clears' = nothing (e.g. WINE_TUI_BROKERS= selects the embedded
   * bus whatever the file says), 'unset' = as if it were absent.
   */
  emptyEnv: 'clears' | 'unset';
}

export const LAYERED_SETTINGS = {
  configDir: {
    env: 'WINE_TUI_CONFIG_DIR',
    flag: {name: '--config-dir', override: 'configDir'},
    emptyEnv: 'clears',
  },
  stateDir: {
    env: 'WINE_TUI_STATE_DIR',
    flag: {name: '--state-dir', override: 'stateDir'},
    emptyEnv: 'unset',
  },
  brokers: {
    file: {name: KAFKA_FILE, key: 'bootstrap.servers'},
    env: 'WINE_TUI_BROKERS',
    flag: {name: '--brokers', override: 'brokers'},
    emptyEnv: 'clears',
  },
  s3Endpoint: {
    file: {name: S3_FILE, key: 'endpoint'},
    env: 'WINE_TUI_S3_ENDPOINT',
    flag: {name: '--s3-endpoint', override: 's3Endpoint'},
    emptyEnv: 'clears',
  },
  bucket: {
    file: {name: S3_FILE, key: 'bucket'},
    env: 'WINE_TUI_BUCKET',
    flag: {name: '--bucket', override: 'bucket'},
    emptyEnv: 'unset',
  },
  s3Region: {file: {name: S3_FILE, key: 'region'}, env: 'WINE_TUI_S3_REGION', emptyEnv: 'unset'},
  s3PathStyle: {
    file: {name: S3_FILE, key: 'path_style'},
    env: 'WINE_TUI_S3_PATH_STYLE',
    emptyEnv: 'unset',
  },
  signingKey: {
    file: {name: S3_FILE, section: 'signing', key: 'private_key'},
    env: 'WINE_TUI_SIGNING_KEY',
    emptyEnv: 'unset',
  },
  // 'unset': an empty variable must not switch verification off behind the file's back.
  trustedKeys: {
    file: {name: S3_FILE, section: 'signing', key: 'trusted_keys'},
    env: 'WINE_TUI_TRUSTED_KEYS',
    emptyEnv: 'unset',
  },
} as const satisfies Record<string, LayeredSetting>;

export type LayeredSettingName = keyof typeof LAYERED_SETTINGS;

export interface LayeredValue {
  /** As text, whatever the layer (a boolean in a file reads as "true"/"false"). */
  value: string;
  /** What error lines name: the flag, the variable, or `<file>: <key>`. */
  source: string;
  /** Which layer set it: paths in a file are relative to the config folder. */
  layer: 'flag' | 'env' | 'file';
}

export interface Layers {
  flags: ConfigOverrides;
  env: NodeJS.ProcessEnv;
  /** Absent while the config folder itself is being resolved. */
  files?: Partial<Record<ConfigFileName, ConfigFile<object>>>;
}

/** The value of the highest layer that sets the setting; undefined when none does. */
export function resolveSetting(name: LayeredSettingName, layers: Layers): LayeredValue | undefined {
  const setting: LayeredSetting = LAYERED_SETTINGS[name];
  if (setting.flag) {
    const flag = layers.flags[setting.flag.override];
    if (flag !== undefined) return {value: flag, source: setting.flag.name, layer: 'flag'};
  }
  if (setting.env) {
    const env = layers.env[setting.env];
    if (env !== undefined && (env !== '' || setting.emptyEnv === 'clears')) {
      return {value: env, source: setting.env, layer: 'env'};
    }
  }
  if (setting.file) {
    const {name, section, key} = setting.file;
    const file = layers.files?.[name];
    const values = file?.values as Record<string, unknown> | undefined;
    const holder = section ? (values?.[section] as Record<string, unknown> | undefined) : values;
    const raw = holder?.[key];
    // A list in a file reads as the comma-separated text its variable would hold.
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    // A key left blank in a file means its default.
    if (file && value !== undefined && value !== '') {
      const shownKey = section ? `${section}.${key}` : key;
      return {value: String(value), source: `${file.shown}: ${shownKey}`, layer: 'file'};
    }
  }
  return undefined;
}
