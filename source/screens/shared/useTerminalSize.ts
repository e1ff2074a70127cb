import {useStdout} from 'ink';
import {useCallback, useEffect, useState} from 'react';

/** Terminal size, following resizes. */
export function useTerminalSize(): {columns: number; rows: number} {
  const {stdout} = useStdout();
  const read = useCallback(
    () => ({columns: stdout.columns || 80, rows: stdout.rows || 24}),
    [stdout],
  );
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, read]);
  return size;
}
