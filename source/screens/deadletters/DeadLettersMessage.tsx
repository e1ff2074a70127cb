import {Box, Text} from 'ink';
import {keyLabel} from '../input/keyBindings.js';
import {theme, tint} from '../shared/theme.js';
import type {RedriveResult} from '../../services/deadletters/DeadLetterQueue.js';
import type {RedriveOutcome, RedrivePlan} from './useDeadLetters.js';

/** Refusals listed one line each; beyond this many, one line counts the rest. */
const MAX_REFUSAL_LINES = 3;

export interface Report {
  lines: Array<{text: string; tone: 'good' | 'bad' | 'warn'}>;
}

/** What a redrive did, one line for the sent and one per refusal (truncated, limit, superseded). */
export function redriveReport(plan: RedrivePlan, outcome: RedriveOutcome): Report {
  if (!outcome.ok) return {lines: [{text: `redrive failed: ${outcome.error}`, tone: 'bad'}]};
  const {sent, refused} = outcome.result;
  const lines: Report['lines'] = [
    {
      text: `redrove ${plan.what}: sent ${sent.length}${refused.length > 0 ? `, refused ${refused.length}` : ''}`,
      tone: sent.length > 0 ? 'good' : 'warn',
    },
  ];
  const shown = refused.length > MAX_REFUSAL_LINES ? MAX_REFUSAL_LINES - 1 : refused.length;
  for (const refusal of refused.slice(0, shown)) {
    lines.push({text: refusalLine(refusal), tone: 'warn'});
  }
  if (refused.length > shown) {
    lines.push({
      text: `and ${refused.length - shown} more refused (wine-tui dlq redrive --dry-run lists them)`,
      tone: 'warn',
    });
  }
  return {lines};
}

/**
 * A refusal short enough for 80 columns: the service's own line starts with the whole topic name,
 * which would push the why off the screen.
 */
export function refusalLine({letter, why}: RedriveResult['refused'][number]): string {
  const which = `${letter.partition}/${letter.offset}${letter.key === null ? '' : ` ${letter.key}`}`;
  if (why === 'truncated')
    return `${which}: over 64 KiB, only its start was kept: cannot be redriven`;
  if (why === 'superseded') return `${which}: already redriven, and failed again as a later letter`;
  return `${which}: redriven ${letter.redriveCount} times, the limit (wine-tui dlq redrive --force)`;
}

const TONES = {good: theme.good, bad: theme.bad, warn: theme.warn} as const;

/** The y/n question with the count, or the last redrive's report. */
export function DeadLettersMessage({
  confirm,
  requestsTopic,
  report,
}: {
  confirm: RedrivePlan | undefined;
  requestsTopic: string;
  report: Report | undefined;
}) {
  if (confirm) {
    const refused = confirm.willRefuse > 0 ? `, ${confirm.willRefuse} refused` : '';
    // The count and y/n before the topic, which a narrow terminal may cut.
    return (
      <Text color={tint(theme.warn)} wrap="truncate-end">
        redrive {confirm.what} ({confirm.willSend} to send{refused})? {keyLabel(['yes', 'no'])} · to{' '}
        {requestsTopic}
      </Text>
    );
  }
  if (!report) return null;
  return (
    <Box flexDirection="column">
      {report.lines.map((line, index) => (
        <Text key={index} color={tint(TONES[line.tone])} wrap="truncate-end">
          {line.text}
        </Text>
      ))}
    </Box>
  );
}
