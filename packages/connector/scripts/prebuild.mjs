// Builds the memory-map binding once and puts it where node-gyp-build looks
// first (prebuilds/<platform>-<arch>/node.napi.<libc>.node, prebuildify's
// layout), so installs from the packed tarball need no compiler. Node-API is
// ABI-stable: this one binary serves every supported Node line. Runs at pack
// time (prepack). prebuildify itself is not used: it downloads Node headers,
// while this uses the headers of the Node running it (npm's nodedir, or the
// include/node folder next to this Node's binary).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

if (process.platform !== 'linux') {
  console.log(`prebuild: no prebuilt binary for ${process.platform}; installs there compile from source`);
  process.exit(0);
}

function headersDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const beside = dirname(dirname(process.execPath));
  if (existsSync(join(beside, 'include', 'node', 'node_api.h'))) return beside;
  throw new Error(`prebuild: no Node headers: set npm_config_nodedir (none under ${beside}/include/node)`);
}

const nodeGyp = join(dirname(require.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js');
execFileSync(process.execPath, [nodeGyp, 'rebuild', '--release', `--nodedir=${headersDir()}`], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const built = join(root, 'build', 'Release', 'marketpipe_mapping.node');
execFileSync('strip', ['--strip-unneeded', built]);
// glibc: a musl system must not pick this binary up; it compiles its own at install.
const target = join(root, 'prebuilds', `linux-${process.arch}`);
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
copyFileSync(built, join(target, 'node.napi.glibc.node'));
console.log(`prebuild: ${join('prebuilds', `linux-${process.arch}`, 'node.napi.glibc.node')}`);
