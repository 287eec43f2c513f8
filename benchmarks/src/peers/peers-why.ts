/**
 * Why a peers target is missed, from the same run's figures: what the peer's time is made of, and how the speed-up
 * the target asks for compares with the floor under marketpipe's own message.
 */
import { formatNs } from '../harness/format.js';

/** A part of a peer's per-message work, timed alone in the same rounds as the peer. */
export interface PeerPart {
  /** What the part is, e.g. `its fs.appendFileSync`. */
  label: string;
  nsPerMessage: number;
}

/** The figures one peers target's explanation is built from. */
export interface PeerWhyInput {
  /** The peer's name in the report, e.g. `(a) the naive pipeline`. */
  peer: string;
  peerNs: number;
  /** Its largest parts, timed alone. */
  parts: readonly PeerPart[];
  /** The speed-up the target asks for, e.g. 30. */
  targetRatio: number;
  marketpipeNs: number;
  /** The sum of the steps no implementation of the design can skip, measured in the same process. */
  floorNs: number;
}

function share(part: number, whole: number): string {
  return `${Math.round((100 * part) / whole)}%`;
}

/**
 * One paragraph for the report: the peer's time and its parts, the per-message time the target leaves marketpipe,
 * and whether that is below the floor (then no implementation of this design meets the target on this host while
 * the peer costs what it did) or above it (then it is marketpipe's distance from its floor).
 */
export function peerWhy(input: PeerWhyInput): string {
  const { peer, peerNs, parts, targetRatio, marketpipeNs, floorNs } = input;
  const allowedNs = peerNs / targetRatio;
  const split =
    parts.length === 0
      ? ''
      : `; timed alone in the same rounds, ${parts
          .map((p) => `${p.label} took ${formatNs(p.nsPerMessage)} (${share(p.nsPerMessage, peerNs)})`)
          .join(', ')}`;
  const opening = `${peer} took ${formatNs(peerNs)} per message${split}. ${targetRatio}x asks marketpipe for at most ${formatNs(allowedNs)} per message`;
  const floor = `the floor under a Binance message measured in this process (${formatNs(floorNs)}: the steps no implementation of this design can skip, timed alone; suite 2 has them)`;
  if (allowedNs < floorNs) {
    return (
      `${opening}, ${(allowedNs / floorNs).toFixed(2)}x ${floor}. So no implementation of this design meets ` +
      `${targetRatio}x against this peer on this host while the peer costs what it did here; marketpipe took ` +
      `${formatNs(marketpipeNs)} (${(marketpipeNs / floorNs).toFixed(2)}x the floor).`
    );
  }
  return (
    `${opening}, ${(allowedNs / floorNs).toFixed(2)}x ${floor}. That is within reach of the design: marketpipe ` +
    `took ${formatNs(marketpipeNs)}, ${(marketpipeNs / floorNs).toFixed(2)}x the floor, so the target is missed ` +
    `by marketpipe's distance from its floor (suite 2's "hot path p50 / the floor").`
  );
}
