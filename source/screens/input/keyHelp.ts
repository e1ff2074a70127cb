import {type Command, keyLabel, SCREENS, type ScreenId} from './keyBindings.js';

/** One row of the `?` overlay: what some commands do; their keys come from the bindings. */
export interface HelpEntry {
  commands: readonly Command[];
  description: string;
}

export interface HelpRow {
  keys: string;
  description: string;
}

export const GLOBAL_HELP: HelpEntry[] = [
  {
    commands: SCREENS.map((screen) => screen.command),
    description: 'switch screen (when no field has focus)',
  },
  {commands: ['help'], description: 'show / hide this key map'},
  {commands: ['quit'], description: 'quit (when no field has focus)'},
  {commands: ['forceQuit'], description: 'quit, always'},
];

export const SCREEN_HELP: Record<ScreenId, HelpEntry[]> = {
  train: [
    {commands: ['up', 'down'], description: 'select an option'},
    {
      commands: ['select'],
      description: 'edit the selected option (features: a comma list; Enter saves, Esc cancels)',
    },
    {commands: ['toggle'], description: 'toggle a yes/no option'},
    {commands: ['train'], description: 'train with these options'},
    {
      commands: ['evaluate'],
      description: 'train, and evaluate these options on 30 seeded splits (mean ± std)',
    },
    {
      commands: ['publish'],
      description: 'publish the trained model (upload, then announce on train)',
    },
  ],
  models: [
    {commands: ['up', 'down'], description: 'select a version'},
    {commands: ['select'], description: 'details of the selected version'},
    {commands: ['promote'], description: 'make the selected version the champion, after y/n'},
    {
      commands: ['setChallenger'],
      description: 'make the selected version the challenger, after y/n',
    },
    {commands: ['clearChallenger'], description: 'clear the challenger, after y/n'},
    {commands: ['delete'], description: 'delete the selected version, after y/n'},
    {commands: ['refresh'], description: 'refresh'},
    {commands: ['compare'], description: 'mark for comparison (mark two to compare)'},
    {
      commands: ['replay'],
      description: 'in the comparison: replay past predictions with both versions',
    },
    {commands: ['history'], description: 'alias history: who set what, when (↑/↓ scroll)'},
    {commands: ['yes', 'no'], description: 'confirm / cancel an alias change or deletion'},
    {commands: ['back'], description: 'back to the list (clears the comparison marks)'},
  ],
  live: [
    {commands: ['pane'], description: 'switch the selected pane'},
    {commands: ['fullScreen'], description: 'selected pane full screen / both panes'},
    {commands: ['pause'], description: 'pause / resume'},
    {commands: ['filter'], description: 'filter by text (Enter applies, Esc clears)'},
    {commands: ['replay'], description: 'replay the selected pane from the earliest offset'},
    {commands: ['up', 'down'], description: 'select a message (↓ past the newest: follow again)'},
    {commands: ['select'], description: 'show the selected message whole (↑/↓ scroll, Esc back)'},
    {commands: ['back'], description: 'drop the selection, then the filter'},
  ],
  predict: [
    {
      commands: ['nextField', 'select'],
      description: 'with no field focused: focus the first field',
    },
    {commands: ['nextField', 'previousField'], description: 'next / previous field'},
    {commands: ['acceptSuggestion'], description: 'accept the first suggestion'},
    {commands: ['erase'], description: 'delete the last character'},
    {commands: ['clearField'], description: 'clear the field'},
    {commands: ['select'], description: 'in a field: predict with the active model and publish it'},
    {commands: ['back'], description: 'leave the field (global keys work again)'},
    {commands: ['retry'], description: 'retry loading the active model after a failure'},
  ],
  pipeline: [
    {commands: ['up', 'down'], description: 'scroll the instances (or the partitions)'},
    {commands: ['pane'], description: 'scroll the instances / the lag partitions'},
  ],
  deadLetters: [
    {commands: ['up', 'down'], description: 'select a letter (in a letter: scroll)'},
    {commands: ['select'], description: 'open the letter: reason, headers, key, value decoded'},
    {commands: ['redriveLetter'], description: 'redrive the selected letter, after y/n'},
    {
      commands: ['redriveClass'],
      description: "redrive the selected letter's reason class, after y/n",
    },
    {commands: ['redriveAll'], description: 'redrive every letter, after y/n'},
    {commands: ['yes', 'no'], description: 'confirm / cancel a redrive'},
    {commands: ['refresh'], description: 'read the dead-letter topic again'},
    {commands: ['back'], description: 'back to the list; clears the last redrive report'},
  ],
};

export function helpRows(entries: readonly HelpEntry[]): HelpRow[] {
  return entries.map(({commands, description}) => ({keys: keyLabel(commands), description}));
}
