import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs one case of a child script that uses V8's test intrinsics (they need a process of their own: started with
 * `--allow-natives-syntax --no-concurrent-recompilation`, tsx and the source conditions) and parses the JSON line
 * it prints.
 */
export function runV8Child<T>(child: URL, which: string): T {
  const path = fileURLToPath(child);
  const out = execFileSync(
    process.execPath,
    [
      '--allow-natives-syntax',
      '--no-concurrent-recompilation',
      '--import',
      'tsx',
      '--conditions=@marketpipe/source',
      path,
      which,
    ],
    { encoding: 'utf8', cwd: dirname(path) },
  );
  return JSON.parse(out) as T;
}
