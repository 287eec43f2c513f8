// Records each published entry point's public API in a reviewed report, packages/<pkg>/api/<entry>.api.md,
// with api-extractor reading the built declarations (`pnpm build` first). `pnpm test:api` (in the test command)
// fails when an entry's API differs from its report, so an API change and its report change land in the same
// commit; `pnpm api:update` rewrites the reports after an intended change. Internal subpaths (`./internal`) are
// not public and get no report. A type an entry's API uses but does not export (`ae-forgotten-export`) fails
// both modes: a user could meet that type in a signature yet not name it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { publishablePackages, repoRoot, tempDir } from './lib/workspace.mjs';

const update = process.argv.includes('--update');
/** `ae-forgotten-export` findings, as `entry: message` lines. */
const forgotten = [];
const scratch = tempDir('api');
let changed = 0;
let checked = 0;
try {
  for (const pkg of publishablePackages()) {
    const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8'));
    const reportFolder = join(pkg.dir, 'api');
    mkdirSync(reportFolder, { recursive: true });
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string' || subpath === './internal') continue;
      const entry = subpath === '.' ? 'index' : subpath.slice(2);
      const config = ExtractorConfig.prepare({
        configObject: {
          projectFolder: pkg.dir,
          mainEntryPointFilePath: join(pkg.dir, target.import.types),
          compiler: {
            overrideTsconfig: { compilerOptions: { lib: ['es2023'], types: ['node'], skipLibCheck: true } },
          },
          apiReport: {
            enabled: true,
            reportFolder,
            reportTempFolder: scratch,
            reportFileName: `${entry}.api.md`,
          },
          docModel: { enabled: false },
          dtsRollup: { enabled: false },
          tsdocMetadata: { enabled: false },
          messages: {
            // A type an entry's API uses but does not export is an error (collected by `collectMessage`); other
            // warnings name hashed chunk files and lines, which would make the report change with every build.
            extractorMessageReporting: {
              default: { logLevel: 'none', addToApiReportFile: false },
              'ae-forgotten-export': { logLevel: 'error', addToApiReportFile: false },
            },
            tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
            compilerMessageReporting: { default: { logLevel: 'error' } },
          },
        },
        configObjectFullPath: join(pkg.dir, 'api-extractor.json'),
        packageJsonFullPath: join(pkg.dir, 'package.json'),
      });
      const where = `${pkg.name}${subpath === '.' ? '' : subpath.slice(1)}`;
      const result = Extractor.invoke(config, {
        localBuild: update,
        messageCallback: (message) => collectMessage(where, message),
      });
      checked++;
      if (result.apiReportChanged) {
        changed++;
        const report = join(reportFolder, `${entry}.api.md`);
        process.stdout.write(`${update ? 'updated' : 'CHANGED'}: ${where} (${report})\n`);
        if (!update) showDiff(report, join(scratch, `${entry}.api.md`));
      } else if (!result.succeeded && forgotten.length === 0) {
        throw new Error(`api-extractor failed on ${where}`);
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (forgotten.length > 0) {
  process.stderr.write(
    `\n${forgotten.length} type(s) used by a public API but not exported by its entry: export each from that entry, ` +
      `or stop using it in the public signature\n${forgotten.join('\n')}\n`,
  );
  process.exit(1);
}
if (changed > 0 && !update) {
  process.stderr.write(
    `\n${changed} public API(s) differ from their reports: review the change, run \`pnpm api:update\` and commit the reports with it\n`,
  );
  process.exit(1);
}
process.stdout.write(`api reports: ${checked} entries ${update ? 'written' : 'match'} (${repoRoot})\n`);

/** Prints how the built API differs from the committed report. */
function showDiff(report, built) {
  const diff = spawnSync('diff', ['-u', report, built], { encoding: 'utf8' });
  process.stdout.write(diff.stdout);
}

/** Collects forgotten exports for one summary, and keeps api-extractor's per-entry progress lines out of the output. */
function collectMessage(where, message) {
  if (message.messageId === 'ae-forgotten-export') {
    forgotten.push(`  ${where}: ${message.text}`);
    message.handled = true;
  } else if (message.logLevel === 'info' || message.logLevel === 'verbose') {
    message.handled = true;
  }
}
