/**
 * The Node versions marketpipe runs on, checked before anything else loads, so
 * a Node that is too old gets one clear line instead of a stack trace from
 * whatever newer API it lacks first.
 */

/** The oldest supported Node: the lowest version in every package's `engines.node`. */
export const MIN_NODE_VERSION = '20.19.0';

/** The supported lines, for messages and the README. */
export const SUPPORTED_NODE_LINES = '20.19+, 22, 24 and 26';

/**
 * The message for a Node older than {@link MIN_NODE_VERSION}, or `undefined`
 * when `version` (as in `process.versions.node`, no `v`) is new enough.
 */
export function unsupportedNodeMessage(version: string): string | undefined {
  const have = version.split('.').map(Number);
  const need = MIN_NODE_VERSION.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i]!;
    if (a > b) return undefined;
    if (a < b) {
      return `Node ${version} is too old: marketpipe needs Node >= ${MIN_NODE_VERSION} (supported lines: ${SUPPORTED_NODE_LINES})`;
    }
  }
  return undefined;
}
