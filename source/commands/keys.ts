import {InvalidInputError} from '../services/errors.js';
import {generateKeyFiles} from '../services/signing/keyFiles.js';
import type {Command} from './command.js';

export const keysCommand: Command = {
  usage: `
  Usage
    $ wine-tui keys generate --out DIR [--json]

  Writes a new ed25519 key pair for signed versions: DIR/private.pem (mode 0600) and
  DIR/public.pem. DIR is made if missing; existing key files are never overwritten.
  Prints the key id (the first 16 hex characters of the sha256 of the public key) and the paths,
  never the private key.

  The publisher points WINE_TUI_SIGNING_KEY (or signing.private_key in s3_config.yaml) at
  private.pem; every machine that serves or predicts puts public.pem in WINE_TUI_TRUSTED_KEYS
  (comma-separated paths, or signing.trusted_keys) and then refuses versions not signed by it.

  Options
    --out DIR     the folder for private.pem and public.pem
    --json        one JSON object {key_id, private_key, public_key} (paths)
`,
  flags: {out: {type: 'string'}, json: {type: 'boolean'}},
  async run({input, flags}, io) {
    const [action, ...extra] = input;
    if (action !== 'generate' || extra.length > 0) {
      throw new InvalidInputError(
        `usage: wine-tui keys generate --out DIR${action && action !== 'generate' ? ` (got "${action}")` : ''}`,
      );
    }
    if (typeof flags.out !== 'string' || flags.out.trim() === '') {
      throw new InvalidInputError('keys generate needs --out DIR: the folder for the key pair');
    }
    const made = generateKeyFiles(flags.out);
    if (flags.json) {
      io.stdout(
        JSON.stringify({
          key_id: made.keyId,
          private_key: made.privateFile,
          public_key: made.publicFile,
        }),
      );
    } else {
      io.stdout(`key id   ${made.keyId}`);
      io.stdout(`private  ${made.privateFile} (mode 0600: keep it on the publishing machine)`);
      io.stdout(`public   ${made.publicFile} (trust it where versions are served)`);
    }
    return 0;
  },
};
