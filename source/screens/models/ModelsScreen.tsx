import {Box, Text} from 'ink';
import {championOf} from '../../services/registry/aliases.js';
import {useCallback, useState} from 'react';
import {type ScreenProps, useServices} from '../shared/AppContext.js';
import {ModelsCompare} from './ModelsCompare.js';
import {ModelsDetails} from './ModelsDetails.js';
import {ModelsHistory} from './ModelsHistory.js';
import {ModelsReplay} from './ModelsReplay.js';
import {ModelsTable} from './ModelsTable.js';
import {useAnnouncementHistory} from '../shared/useAnnouncements.js';
import {useModelDetails} from './useModelDetails.js';
import {useModelVersions} from './useModelVersions.js';
import {useRegistryAction} from './useRegistryAction.js';
import {useReplay} from './useReplay.js';
import {type CommandHandlers, useCommands} from '../input/useCommands.js';
import {type Confirm, ModelsStatusMessage} from './ModelsStatusMessage.js';
import {theme, tint} from '../shared/theme.js';

type View = 'list' | 'details' | 'compare' | 'replay' | 'history';

const HINTS: Record<View, string> = {
  list: '↑↓ select · Enter details · a champion · x/X challenger · d delete · c compare · h history',
  details: 'Esc back · r refresh',
  compare: 'b replay past predictions with both · Esc back (clears the marks)',
  replay: 'Esc back to the comparison',
  history: '↑↓ scroll · Esc back',
};

/** Screen 2: the versions in the store, their details, promotion, deletion, comparison, history. */
export function ModelsScreen({active, width, height}: ScreenProps) {
  const {registry} = useServices();
  const {versions, loading, loaded, error, refresh} = useModelVersions();
  const history = useAnnouncementHistory();
  const {run, busy, message, clear} = useRegistryAction();
  const [view, setView] = useState<View>('list');
  const [selectedIndex, setSelected] = useState(0);
  const [marked, setMarked] = useState<string[]>([]);
  const [confirm, setConfirm] = useState<Confirm | undefined>(undefined);
  const [historyScroll, setHistoryScroll] = useState(0);

  // The list changes under the selection (refresh, delete): keep it on a row that exists.
  const selected = Math.min(selectedIndex, Math.max(0, versions.length - 1));
  const current = versions[selected];
  const markedVersions = marked
    .map((id) => versions.find((v) => v.version === id))
    .filter((v) => v !== undefined)
    // Older on the left, whichever was marked first.
    .sort((x, y) => x.createdAt.localeCompare(y.createdAt));
  const [markA, markB] = markedVersions;
  const paired = markA !== undefined && markB !== undefined;
  const comparing = view === 'compare' && paired;
  // Older as A: how the newer version would have priced what the older one answered.
  const replayState = useReplay(
    view === 'replay' && paired ? {a: markA.version, b: markB.version} : undefined,
  );

  const details = useModelDetails(view === 'details' ? current?.version : undefined);
  const detailsA = useModelDetails(comparing ? markA.version : undefined);
  const detailsB = useModelDetails(comparing ? markB.version : undefined);

  const confirmed = useCallback(
    ({kind, version}: Confirm) => {
      if (kind === 'promote') {
        run(async () => {
          const done = await registry.promote(version);
          return `promoted ${version}: announced on ${done.topic}/${done.partition} offset ${done.offset}`;
        }, refresh);
      } else if (kind === 'setChallenger') {
        run(async () => {
          const done = await registry.setAlias('challenger', version);
          return `${version} is the challenger: announced on ${done.topic}/${done.partition} offset ${done.offset}`;
        }, refresh);
      } else if (kind === 'clearChallenger') {
        run(async () => {
          await registry.clearAlias('challenger');
          return `cleared the challenger (was ${version})`;
        }, refresh);
      } else {
        run(async () => {
          await registry.delete(version);
          setMarked((m) => m.filter((id) => id !== version));
          return `deleted ${version}`;
        }, refresh);
      }
    },
    [run, registry, refresh],
  );

  const toggleMark = (id: string) => {
    const next = marked.includes(id) ? marked.filter((m) => m !== id) : [...marked, id].slice(-2);
    setMarked(next);
    if (next.length === 2) setView('compare');
  };
  const ask = (kind: Confirm['kind']) => current && setConfirm({kind, version: current.version});
  const listCommands: CommandHandlers = {
    up: () => setSelected(Math.max(0, selected - 1)),
    down: () => setSelected(Math.min(versions.length - 1, selected + 1)),
    select: () => current && setView('details'),
    promote: () => ask('promote'),
    setChallenger: () => ask('setChallenger'),
    clearChallenger: () => {
      const holder = versions.find((v) => v.aliases.includes('challenger'));
      if (holder) setConfirm({kind: 'clearChallenger', version: holder.version});
    },
    delete: () => ask('delete'),
    compare: () => current && toggleMark(current.version),
    back: () => {
      setMarked([]);
      clear();
    },
  };
  const historyCommands: CommandHandlers = {
    up: () => setHistoryScroll((s) => Math.max(0, s - 1)),
    down: () => setHistoryScroll((s) => Math.min(Math.max(0, history.length - 1), s + 1)),
    back: () => setView('list'),
  };
  const backToList = () => {
    if (view === 'replay') return setView('compare');
    if (view === 'compare') setMarked([]);
    setView('list');
  };
  useCommands(
    confirm
      ? {
          yes: () => {
            setConfirm(undefined);
            confirmed(confirm);
          },
          no: () => setConfirm(undefined),
          back: () => setConfirm(undefined),
        }
      : {
          refresh,
          ...(view === 'history'
            ? historyCommands
            : {
                history: () => {
                  setHistoryScroll(0);
                  setView('history');
                },
                ...(view === 'list'
                  ? listCommands
                  : {
                      back: backToList,
                      ...(comparing ? {replay: () => setView('replay')} : {}),
                    }),
              }),
        },
    {isActive: active},
  );

  if (!active) return null;

  // Title, the message line and the key hint; the view gets the rest.
  const bodyRows = Math.max(1, height - 3);
  const activeVersion = championOf(history)?.version;
  const title =
    view === 'history'
      ? `Alias history: ${history.length} announcement${history.length === 1 ? '' : 's'}, newest first`
      : view === 'compare'
        ? 'Compare versions'
        : view === 'replay'
          ? 'Replay: past predictions priced by both versions'
          : view === 'details'
            ? 'Version details'
            : `Model versions: ${versions.length}${marked.length > 0 ? ` · ${marked.length} marked` : ''}`;

  let body;
  if (view === 'details' && current) {
    body = <ModelsDetails version={current} state={details} height={bodyRows} />;
  } else if (comparing) {
    body = (
      <ModelsCompare
        a={{version: markA, state: detailsA}}
        b={{version: markB, state: detailsB}}
        versions={versions}
        width={width}
        height={bodyRows}
      />
    );
  } else if (view === 'replay' && paired) {
    body = (
      <ModelsReplay a={markA.version} b={markB.version} state={replayState} height={bodyRows} />
    );
  } else if (view === 'history') {
    body = <ModelsHistory history={history} scroll={historyScroll} rows={bodyRows - 1} />;
  } else if (loaded && versions.length === 0) {
    body = (
      <Text color={tint(theme.muted)}>
        no versions in the store yet: train and publish one on the Train screen (1)
      </Text>
    );
  } else {
    body = (
      <ModelsTable versions={versions} selected={selected} marked={marked} rows={bodyRows - 1} />
    );
  }

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        {title}
        <Text color={tint(theme.muted)}>
          {loading || busy ? ' · working…' : ''}
          {view === 'list' ? ` · active: ${activeVersion ?? 'none'}` : ''}
        </Text>
      </Text>
      <Box flexDirection="column" height={bodyRows} overflow="hidden">
        {body}
      </Box>
      <ModelsStatusMessage confirm={confirm} message={message} error={error} />
      <Text wrap="truncate-end" color={tint(theme.muted)}>
        {HINTS[view]}
      </Text>
    </Box>
  );
}
