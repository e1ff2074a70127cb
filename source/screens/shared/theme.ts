/**
 * Colours, off when NO_COLOR is set (https://no-color.org): Ink's chalk does not check it itself.
 * Components pass every colour through tint().
 */
export const colorEnabled = !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');

export function tint(color: string | undefined): string | undefined {
  return colorEnabled ? color : undefined;
}

export const theme = {
  accent: 'cyan',
  good: 'green',
  bad: 'red',
  warn: 'yellow',
  muted: 'gray',
} as const;
