import {Box, Text} from 'ink';
import {useMemo, useState} from 'react';
import type {BusMessage} from '../../services/ports/MessageBus.js';
import {type ScreenProps, useServices} from '../shared/AppContext.js';
import {detailLines, LiveMessageDetail} from './LiveMessageDetail.js';
import {LivePane} from './LivePane.js';
import {type TailEntry, type TopicTail, useTopicTail} from './useTopicTail.js';
import {useCommands} from '../input/useCommands.js';
import {useTextField} from '../input/useTextField.js';
import {TextField} from '../shared/TextField.js';
import {theme, tint} from '../shared/theme.js';

type PaneIndex = 0 | 1;

function useFiltered(entries: readonly TailEntry[], filter: string): readonly TailEntry[] {
  return useMemo(() => {
    const needle = filter.toLowerCase();
    return needle ? entries.filter((entry) => entry.line.toLowerCase().includes(needle)) : entries;
  }, [entries, filter]);
}

/**
 * Live: the `train` and predictions topics tailed at once, one pane above the other, newest at
 * the bottom, with pause, a text filter, replay from the earliest offset and a whole-message view.
 */
export function LiveScreen({active, width, height}: ScreenProps) {
  const {config} = useServices();
  const [paused, setPaused] = useState(false);
  const train = useTopicTail(config.topics.train, 'latest', {paused});
  const predictions = useTopicTail(config.topics.predictions, 'latest', {paused});
  const tails: [TopicTail, TopicTail] = [train, predictions];
  const topics = [config.topics.train, config.topics.predictions] as const;

  const [focus, setFocus] = useState<PaneIndex>(0);
  const [full, setFull] = useState(false);
  const [filter, setFilter] = useState('');
  const filterField = useTextField({
    isActive: active,
    onSubmit: (text) => setFilter(text.trim()),
    onCancel: () => setFilter(''),
  });
  const draft = filterField.line;
  const [selected, setSelected] = useState<[number | undefined, number | undefined]>([
    undefined,
    undefined,
  ]);
  const [detail, setDetail] = useState<BusMessage | undefined>();
  const [scroll, setScroll] = useState(0);

  const rows: [readonly TailEntry[], readonly TailEntry[]] = [
    useFiltered(train.entries, filter),
    useFiltered(predictions.entries, filter),
  ];

  const select = (pane: PaneIndex, seq: number | undefined) =>
    setSelected((previous) => (pane === 0 ? [seq, previous[1]] : [previous[0], seq]));

  const move = (delta: -1 | 1) => {
    const list = rows[focus];
    if (list.length === 0) return;
    const current = list.findIndex((entry) => entry.seq === selected[focus]);
    if (current < 0) {
      // The first ↑ picks the newest message; ↓ without a selection keeps following.
      if (delta < 0) select(focus, list.at(-1)?.seq);
      return;
    }
    const next = current + delta;
    // ↓ past the newest goes back to following new messages.
    select(focus, next >= list.length ? undefined : list[Math.max(0, next)]?.seq);
  };

  const maxScroll = detail ? Math.max(0, detailLines(detail, width).length - (height - 2)) : 0;
  useCommands(
    detail
      ? {
          back: () => setDetail(undefined),
          select: () => setDetail(undefined),
          up: () => setScroll((s) => Math.max(0, s - 1)),
          down: () => setScroll((s) => Math.min(maxScroll, s + 1)),
        }
      : {
          pane: () => setFocus((f) => (f === 0 ? 1 : 0)),
          fullScreen: () => setFull((f) => !f),
          pause: () => setPaused((p) => !p),
          filter: () => filterField.open(filter),
          replay: () => {
            tails[focus].restart('earliest');
            select(focus, undefined);
            // A replay is meant to be watched.
            setPaused(false);
          },
          up: () => move(-1),
          down: () => move(1),
          select: () => {
            const entry = rows[focus].find((e) => e.seq === selected[focus]);
            if (entry) {
              setDetail(entry.message);
              setScroll(0);
            }
          },
          back: () => {
            if (selected[focus] !== undefined) select(focus, undefined);
            else setFilter('');
          },
        },
    // The filter field, while open, takes the keys (useTextField).
    {isActive: active && draft === undefined},
  );

  if (!active) return null;

  const bodyHeight = Math.max(2, height - 1);
  const pane = (index: PaneIndex, paneHeight: number) => {
    const {pausedAt} = tails[index];
    return (
      <LivePane
        key={index}
        topic={topics[index]}
        rows={rows[index]}
        selectedSeq={selected[index]}
        tail={tails[index]}
        focused={focus === index}
        newWhilePaused={
          pausedAt === undefined ? undefined : Math.max(0, tails[index].received - pausedAt)
        }
        filtered={filter !== ''}
        width={width}
        height={paneHeight}
      />
    );
  };
  const top = Math.floor(bodyHeight / 2);

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {draft !== undefined ? (
        <Box width={width}>
          <Text color={tint(theme.accent)}>filter / </Text>
          <TextField line={draft} />
          <Text color={tint(theme.muted)}> Enter apply · Esc clear</Text>
        </Box>
      ) : (
        <Text wrap="truncate-end">
          <Text bold>Live</Text>
          {paused ? (
            <Text color={tint(theme.warn)} inverse>
              {' PAUSED '}
            </Text>
          ) : null}
          {filter ? <Text color={tint(theme.accent)}> filter: {filter}</Text> : null}
          <Text color={tint(theme.muted)}>
            {' '}
            Tab pane · f full · space pause · / filter · b replay · ↑↓ Enter message
          </Text>
        </Text>
      )}
      {detail ? (
        <LiveMessageDetail message={detail} scroll={scroll} width={width} height={bodyHeight} />
      ) : full ? (
        pane(focus, bodyHeight)
      ) : (
        <>
          {pane(0, top)}
          {pane(1, bodyHeight - top)}
        </>
      )}
    </Box>
  );
}
