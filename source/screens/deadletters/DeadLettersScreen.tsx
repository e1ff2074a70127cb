import {Box, Text} from 'ink';
import {useMemo, useState} from 'react';
import type {StoredDeadLetter} from '../../services/deadletters/deadLetterRecord.js';
import {keyLabel} from '../input/keyBindings.js';
import {type CommandHandlers, useCommands} from '../input/useCommands.js';
import type {ScreenProps} from '../shared/AppContext.js';
import {errorLine} from '../shared/errorLine.js';
import {theme, tint} from '../shared/theme.js';
import {DeadLetterDetail} from './DeadLetterDetail.js';
import {DeadLetterList} from './DeadLetterList.js';
import {DeadLettersMessage, type Report, redriveReport} from './DeadLettersMessage.js';
import {letterDetailLines} from './deadLetterText.js';
import {type RedrivePlan, useDeadLetters} from './useDeadLetters.js';

type View = 'list' | 'detail';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const HINTS: Record<View, string> = {
  list: `${keyLabel(['up', 'down'])} select · ${keyLabel(['select'])} open · ${keyLabel(['redriveLetter'])} redrive it · ${keyLabel(['redriveClass'])} its class · ${keyLabel(['redriveAll'])} all · ${keyLabel(['refresh'])} refresh`,
  detail: `${keyLabel(['up', 'down'])} scroll · ${keyLabel(['back'])} back · ${keyLabel(['redriveLetter'])} redrive it · ${keyLabel(['redriveClass'])} its class`,
};

/**
 * Screen 6: the dead-letter topic grouped by reason class; a letter opened whole; the selected
 * letter, its class or every letter sent back to the requests topic after a y/n with the count.
 */
export function DeadLettersScreen({active, width, height}: ScreenProps) {
  const dlq = useDeadLetters(active);
  const [view, setView] = useState<View>('list');
  const [selectedAt, setSelectedAt] = useState<string | undefined>(undefined);
  const [detailScroll, setDetailScroll] = useState(0);
  const [confirm, setConfirm] = useState<RedrivePlan | undefined>(undefined);
  const [report, setReport] = useState<Report | undefined>(undefined);

  const {state} = dlq;
  const read = state.status === 'read' ? state : undefined;
  const superseded = useMemo(() => read?.superseded ?? new Set<string>(), [read]);
  // The order the list shows them in: by class, then newest first.
  const ordered = useMemo(() => read?.groups.flatMap((g) => g.letters) ?? [], [read]);
  // The selection follows its letter across reads; a letter gone leaves the first selected.
  const index = Math.max(
    0,
    ordered.findIndex((l) => l.location === selectedAt),
  );
  const current: StoredDeadLetter | undefined = ordered[index];
  const detailLines = useMemo(
    () => (current && view === 'detail' ? letterDetailLines(current, superseded, width).length : 0),
    [current, view, superseded, width],
  );

  // Title, the unreadable-records line, the message lines and the hint; the view gets the rest.
  const messageRows = confirm ? 1 : (report?.lines.length ?? 0);
  const unreadableRow = read && read.unreadable.length > 0 ? 1 : 0;
  const bodyRows = Math.max(1, height - 2 - messageRows - unreadableRow);
  // The detail's last screenful (one row says where in the letter the view is when it scrolls).
  const lastScroll = Math.max(0, detailLines - (detailLines > bodyRows ? bodyRows - 1 : bodyRows));

  const ask = (what: string, letters: StoredDeadLetter[]) => {
    if (letters.length === 0 || dlq.busy) return;
    setReport(undefined);
    void dlq
      .plan(what, letters)
      .then(setConfirm, (error: unknown) =>
        setReport(
          redriveReport(
            {what, letters, willSend: 0, willRefuse: 0},
            {ok: false, error: errorLine(error)},
          ),
        ),
      );
  };
  const redriveOne = () => current && ask(`letter ${current.location}`, [current]);
  const redriveClass = () => {
    const group = read?.groups.find((g) => g.reasonClass === current?.reasonClass);
    if (group)
      ask(`${plural(group.count, 'letter')} of class "${group.reasonClass}"`, group.letters);
  };
  const redriveAll = () => ask(`all ${plural(ordered.length, 'letter')}`, ordered);
  const select = (at: number) => {
    setSelectedAt(ordered[Math.max(0, Math.min(ordered.length - 1, at))]?.location);
  };

  const listCommands: CommandHandlers = {
    up: () => select(index - 1),
    down: () => select(index + 1),
    select: () => {
      if (!current) return;
      setDetailScroll(0);
      setView('detail');
    },
    redriveAll,
    back: () => setReport(undefined),
  };
  const detailCommands: CommandHandlers = {
    up: () => setDetailScroll((s) => Math.max(0, Math.min(lastScroll, s) - 1)),
    down: () => setDetailScroll((s) => Math.min(lastScroll, s + 1)),
    back: () => setView('list'),
  };
  useCommands(
    confirm
      ? {
          yes: () => {
            setConfirm(undefined);
            void dlq.redrive(confirm).then((outcome) => setReport(redriveReport(confirm, outcome)));
          },
          no: () => setConfirm(undefined),
          back: () => setConfirm(undefined),
        }
      : {
          refresh: dlq.refresh,
          redriveLetter: redriveOne,
          redriveClass,
          ...(view === 'detail' && current ? detailCommands : listCommands),
        },
    {isActive: active},
  );

  if (!active) return null;

  const total = ordered.length;
  const classes = read?.groups.length ?? 0;
  const title =
    view === 'detail' && current
      ? `Dead letter ${current.location} · ${current.reasonClass}`
      : `Dead letters on ${dlq.topic}${read ? ` · ${plural(total, 'letter')} in ${plural(classes, 'class', 'classes')}` : ''}`;

  let body;
  if (state.status === 'reading') {
    body = <Text color={tint(theme.muted)}>reading {dlq.topic}…</Text>;
  } else if (state.status === 'missing') {
    body = (
      <Text wrap="truncate-end">
        {dlq.topic} does not exist yet: no request has failed (serve creates it)
      </Text>
    );
  } else if (state.status === 'failed') {
    body = (
      <Text color={tint(theme.bad)} wrap="truncate-end">
        cannot read {dlq.topic}: {state.error} ({keyLabel(['refresh'])} retries)
      </Text>
    );
  } else if (total === 0) {
    body = <Text wrap="truncate-end">no dead letters on {dlq.topic}: nothing has failed</Text>;
  } else if (view === 'detail' && current) {
    body = (
      <DeadLetterDetail
        letter={current}
        superseded={superseded}
        width={width}
        rows={bodyRows}
        scroll={detailScroll}
      />
    );
  } else {
    body = (
      <DeadLetterList
        groups={read?.groups ?? []}
        superseded={superseded}
        selected={current?.location}
        rows={bodyRows}
      />
    );
  }

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        {title}
        <Text color={tint(theme.muted)}>
          {dlq.reading && state.status !== 'reading' ? ' · reading…' : ''}
          {dlq.busy ? ' · redriving…' : ''}
        </Text>
      </Text>
      <Box flexDirection="column" height={bodyRows} overflow="hidden">
        {body}
      </Box>
      {unreadableRow ? (
        <Text color={tint(theme.muted)} wrap="truncate-end">
          {plural(read!.unreadable.length, 'record')} on the topic not dead letters (first:{' '}
          {read!.unreadable[0]})
        </Text>
      ) : null}
      <DeadLettersMessage confirm={confirm} requestsTopic={dlq.requestsTopic} report={report} />
      <Text wrap="truncate-end" color={tint(theme.muted)}>
        {HINTS[view === 'detail' && current ? 'detail' : 'list']}
      </Text>
    </Box>
  );
}
