// The `[epoch:]main[-tail]` shape dpkg (`upstream-revision`) and rpm
// (`version-release`) versions share: the epoch is a numeric prefix before
// the first `:`, the tail follows the last `-`. Package URLs use the same split.

export interface EpochSplit {
  /** 0 when absent. */
  epoch: number;
  /** Whether the version wrote an epoch (even `0:`). */
  hasEpoch: boolean;
  /** The version without its epoch. */
  rest: string;
}

export function splitEpoch(version: string): EpochSplit {
  const s = version.trim();
  const colon = s.indexOf(':');
  if (colon > 0 && /^\d+$/.test(s.slice(0, colon))) return { epoch: Number(s.slice(0, colon)), hasEpoch: true, rest: s.slice(colon + 1) };
  return { epoch: 0, hasEpoch: false, rest: s };
}

/** `[epoch:]main[-tail]`; tail is '' when there is no `-`. */
export function splitEpochMainTail(version: string): { epoch: number; main: string; tail: string } {
  const { epoch, rest } = splitEpoch(version);
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, main: rest.slice(0, dash), tail: rest.slice(dash + 1) } : { epoch, main: rest, tail: '' };
}

/** A version split as `[epoch:]main[-tail]`, with its format's names for main and tail. */
export type EpochVersion<Main extends string, Tail extends string> = { epoch: number } & { [K in Main | Tail]: string };

/** The parser of a format's `[epoch:]main[-tail]` versions, naming main and tail as the format does. */
export function epochVersionParser<Main extends string, Tail extends string>(main: Main, tail: Tail): (v: string) => EpochVersion<Main, Tail> {
  return (v) => {
    const s = splitEpochMainTail(v);
    return { epoch: s.epoch, [main]: s.main, [tail]: s.tail } as EpochVersion<Main, Tail>;
  };
}
