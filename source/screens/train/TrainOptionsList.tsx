import {Box, Text} from 'ink';
import {memo} from 'react';
import type {TrainOptions} from '../../ml/options.js';
import type {LineEdit} from '../input/lineEdit.js';
import {TextField} from '../shared/TextField.js';
import {theme, tint} from '../shared/theme.js';
import {OPTION_FIELDS, showOption} from './trainOptionFields.js';

interface Props {
  options: TrainOptions;
  selected: number;
  /** The text being typed into the selected field, when it is being edited. */
  editing: LineEdit | undefined;
}

const LABEL_WIDTH = 14;

/** The training options, one a row; the selected one is edited in place. */
export const TrainOptionsList = memo(function TrainOptionsList({
  options,
  selected,
  editing,
}: Props) {
  return (
    <Box flexDirection="column">
      {OPTION_FIELDS.map((field, index) => {
        const isSelected = index === selected;
        return (
          // One row each, however long the value: a long feature list is truncated, not wrapped
          // (the field being edited wraps, so all of what is typed stays visible).
          <Box key={field.key} height={isSelected && editing !== undefined ? undefined : 1}>
            <Text color={tint(isSelected ? theme.accent : undefined)}>
              {isSelected ? '› ' : '  '}
              {field.label.padEnd(LABEL_WIDTH)}
            </Text>
            {isSelected && editing !== undefined ? (
              <TextField line={editing} />
            ) : (
              <Text wrap="truncate-end" bold={isSelected}>
                {showOption(options, field.key)}
              </Text>
            )}
          </Box>
        );
      })}
    </Box>
  );
});
