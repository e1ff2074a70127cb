import path from 'node:path';
import type {LayeredValue} from './precedence.js';
import type {KeyFileSetting, SigningSettings} from './settings.js';

/**
 * Where the signing key and the trusted keys are. Only paths are resolved here: the trusted keys
 * are read when services are opened, the private key only when something is published, so that
 * `train` without --publish, or a machine that never publishes, does not need it.
 */
export function signingSettings(
  layered: {signingKey: LayeredValue | undefined; trustedKeys: LayeredValue | undefined},
  configDir: string,
): SigningSettings {
  // A path in a file is relative to the config folder, as ssl.ca.location is; one in a variable, to the working directory.
  const resolve = (file: string, setting: LayeredValue): KeyFileSetting => ({
    file: setting.layer === 'file' ? path.resolve(configDir, file) : path.resolve(file),
    source: setting.source,
  });
  const {signingKey, trustedKeys} = layered;
  const trusted = (trustedKeys?.value ?? '')
    .split(',')
    .map((file) => file.trim())
    .filter(Boolean);
  return {
    ...(signingKey?.value.trim() ? {privateKey: resolve(signingKey.value.trim(), signingKey)} : {}),
    trustedKeys: trustedKeys ? trusted.map((file) => resolve(file, trustedKeys)) : [],
  };
}
