// Records each published entry point's public API in a reviewed report, packages/<pkg>/api/<entry>.api.md,
// with api-extractor reading the built declarations (`pnpm build` first). `pnpm test:api` (in the test command)
// fails when an entry's API differs from its report, so an API change and its report change land in the same
// commit; `pnpm api:update` rewrites the reports after an intended change. Internal subpaths (`./internal`) are
// not public and get no report.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { publishablePackages, repoRoot, tempDir } from './lib/workspace.mjs';

const update = process.argv.includes('--update');
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
            // Types an entry's API uses but does not export are marked in the report; other warnings name
            // hashed chunk files and lines, which would make the report change with every build.
            extractorMessageReporting: {
              default: { logLevel: 'none', addToApiReportFile: false },
              'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
            },
            tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
            compilerMessageReporting: { default: { logLevel: 'error' } },
          },
        },
        configObjectFullPath: join(pkg.dir, 'api-extractor.json'),
        packageJsonFullPath: join(pkg.dir, 'package.json'),
      });
      const result = Extractor.invoke(config, { localBuild: update, messageCallback: quietInfo });
      checked++;
      const where = `${pkg.name}${subpath === '.' ? '' : subpath.slice(1)}`;
      if (result.apiReportChanged) {
        changed++;
        const report = join(reportFolder, `${entry}.api.md`);
        process.stdout.write(`${update ? 'updated' : 'CHANGED'}: ${where} (${report})\n`);
        if (!update) showDiff(report, join(scratch, `${entry}.api.md`));
      } else if (!result.succeeded) {
        throw new Error(`api-extractor failed on ${where}`);
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
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

/** Keeps api-extractor's per-entry progress lines out of the output. */
function quietInfo(message) {
  if (message.logLevel === 'info' || message.logLevel === 'verbose') message.handled = true;
}
