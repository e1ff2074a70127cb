import {useCallback, useEffect, useState} from 'react';
import {useFocusState} from '../shared/AppContext.js';
import {
  eraseBefore,
  EMPTY_LINE,
  insertText,
  type LineEdit,
  moveCursor,
  startLine,
} from './lineEdit.js';
import {useCommands} from './useCommands.js';

export interface TextField {
  /** What is being typed, or undefined while the field is closed. */
  line: LineEdit | undefined;
  /** Opens the field on `text` and takes the keyboard from the global keys. */
  open: (text: string) => void;
}

/**
 * A one-line field that opens on demand (an option being edited, the Live filter): while open it
 * takes the text and the editing keys; Enter hands the text to `onSubmit`, Esc calls `onCancel`,
 * and either closes it. The global keys are off exactly while it is open.
 */
export function useTextField({
  isActive,
  onSubmit,
  onCancel,
}: {
  isActive: boolean;
  onSubmit: (text: string) => void;
  onCancel?: () => void;
}): TextField {
  const {setTyping} = useFocusState();
  const [line, setLine] = useState<LineEdit | undefined>(undefined);
  const isOpen = line !== undefined;
  // A field left open must not keep the global keys off once its screen is gone.
  useEffect(() => {
    if (!isOpen) return;
    return () => setTyping(false);
  }, [isOpen, setTyping]);

  const open = useCallback(
    (text: string) => {
      setLine(startLine(text));
      setTyping(true);
    },
    [setTyping],
  );
  const close = () => {
    setLine(undefined);
    setTyping(false);
  };
  const edit = (change: (current: LineEdit) => LineEdit) =>
    setLine((current) => (current === undefined ? current : change(current)));

  useCommands(
    {
      select: () => {
        onSubmit(line?.text ?? '');
        close();
      },
      back: () => {
        onCancel?.();
        close();
      },
      erase: () => edit(eraseBefore),
      clearField: () => edit(() => EMPTY_LINE),
      cursorLeft: () => edit((current) => moveCursor(current, -1)),
      cursorRight: () => edit((current) => moveCursor(current, 1)),
    },
    {isActive: isActive && isOpen, onText: (text) => edit((current) => insertText(current, text))},
  );
  return {line, open};
}
