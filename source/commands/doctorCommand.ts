import {loadConfig} from '../services/config/config.js';
import {type Command, connectionHelp, overridesFrom} from './command.js';
import {createTopics, doctor, printDoctor} from './doctor.js';

export const doctorCommand: Command = {
  usage: `
  Usage
    $ wine-tui doctor [--json] [--create-topics]

  Checks the configuration, that the broker answers, that the topics exist, that the bucket exists
  and the credentials work, and says how to fix what does not. Exit code 0 when healthy, 2 otherwise.

  Options
    --json            one JSON object {healthy, checks: [{name, ok, detail, fix}]}
    --create-topics   create missing topics first
${connectionHelp}
`,
  flags: {json: {type: 'boolean'}, createTopics: {type: 'boolean'}},
  async run({flags}, io) {
    const config = loadConfig(overridesFrom(flags));
    if (flags.createTopics) await createTopics(config);
    return printDoctor(await doctor(config), io, Boolean(flags.json));
  },
};
