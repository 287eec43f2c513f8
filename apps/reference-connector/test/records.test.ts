import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { createHarness } from './support/cli-harness.js';
import {
  type FixtureRecord,
  flipBytes,
  tearTail,
  tempDataDir,
  writeRecords,
} from './support/record-files.js';

/** Bytes of one fixture block holding one `{"n":N}` record with N < 10: block header, record header, payload. */
const BLOCK = 16 + 20 + 7;

function sequence(
  day: string,
  from: number,
  count: number,
  payload = (n: number) => `{"n":${n}}`,
): FixtureRecord[] {
  return Array.from({ length: count }, (_, i) => ({ day, sequence: from + i, payload: payload(from + i) }));
}

describe('marketpipe cat', () => {
  it('prints every raw message of every day, in order, exactly as recorded', async () => {
    const dataDir = tempDataDir();
    const odd = new Uint8Array([0x00, 0xff, 0xc3, 0x28, 0x7b, 0x22]);
    writeRecords(dataDir, 'binance', [
      ...sequence('2025-01-01', 0, 3),
      { day: '2025-01-02', sequence: 3, payload: odd },
      { day: '2025-01-02', sequence: 4, payload: '' },
      { day: '2025-01-02', sequence: 5, payload: '{"e":"trade","p":"0.10000000"}  ' },
    ]);
    const harness = createHarness();
    expect(await main(['cat', '--data-dir', dataDir, '--venue', 'binance'], harness.context)).toBe(0);
    const expected = Buffer.concat([
      Buffer.from('{"n":0}\n{"n":1}\n{"n":2}\n'),
      Buffer.from(odd),
      Buffer.from('\n\n{"e":"trade","p":"0.10000000"}  \n'),
    ]);
    expect(harness.stdout.bytes.equals(expected)).toBe(true);
    expect(harness.stderr.text).toBe('');
  });

  it('prints one day with --date, resolving --data-dir against the working folder', async () => {
    const dataDir = tempDataDir();
    writeRecords(dataDir, 'kraken', [...sequence('2025-01-01', 0, 2), ...sequence('2025-01-02', 2, 2)]);
    const harness = createHarness({ cwd: dataDir });
    expect(
      await main(['cat', '--data-dir', '.', '--venue', 'kraken', '--date', '2025-01-02'], harness.context),
    ).toBe(0);
    expect(harness.stdout.text).toBe('{"n":2}\n{"n":3}\n');
  });

  it('skips a torn tail with a warning on stderr, and exits 3', async () => {
    const dataDir = tempDataDir();
    writeRecords(dataDir, 'okx', [...sequence('2025-01-01', 0, 2), ...sequence('2025-01-02', 2, 1)]);
    tearTail(dataDir, 'okx', '2025-01-01');
    const harness = createHarness();
    expect(await main(['cat', '--data-dir', dataDir, '--venue', 'okx'], harness.context)).toBe(3);
    expect(harness.stdout.text).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
    expect(harness.stderr.text).toMatch(
      new RegExp(
        `2025-01-01\\.mprec: skipped a torn tail of 10 bytes at offset ${16 + 2 * BLOCK} \\(truncated\\)`,
      ),
    );
  });

  it('skips corruption in the middle, prints every intact record after it, and exits 3', async () => {
    const dataDir = tempDataDir();
    writeRecords(dataDir, 'okx', sequence('2025-01-01', 0, 6));
    // 4 bytes inside the third block's payload.
    flipBytes(dataDir, 'okx', '2025-01-01', 16 + 2 * BLOCK + 38);
    const harness = createHarness();
    expect(await main(['cat', '--data-dir', dataDir, '--venue', 'okx'], harness.context)).toBe(3);
    expect(harness.stdout.text).toBe('{"n":0}\n{"n":1}\n{"n":3}\n{"n":4}\n{"n":5}\n');
    expect(harness.stderr.text).toBe(
      `marketpipe cat: ${join(dataDir, 'okx', '2025-01-01.mprec')}: skipped corruption of ${BLOCK} bytes ` +
        `at offset ${16 + 2 * BLOCK} (checksum)\n`,
    );
  });

  it('reads a set-aside damaged end in its place, the records it holds included', async () => {
    const dataDir = tempDataDir();
    writeRecords(dataDir, 'okx', sequence('2025-01-01', 0, 5));
    // What a recovery before damage was told from torn tails did: cut at the damaged block 1, kept 1..4 aside.
    const file = join(dataDir, 'okx', '2025-01-01.mprec');
    flipBytes(dataDir, 'okx', '2025-01-01', 16 + BLOCK + 4);
    const cut = 16 + BLOCK;
    writeFileSync(`${file}.torn-${cut}`, readFileSync(file).subarray(cut));
    truncateSync(file, cut);
    writeRecords(dataDir, 'okx', sequence('2025-01-01', 5, 1));
    const harness = createHarness();
    expect(await main(['cat', '--data-dir', dataDir, '--venue', 'okx'], harness.context)).toBe(3);
    expect(harness.stdout.text).toBe('{"n":0}\n{"n":2}\n{"n":3}\n{"n":4}\n{"n":5}\n');
    expect(harness.stderr.text).toContain(
      `2025-01-01.mprec.torn-${cut}: skipped corruption of ${BLOCK} bytes at offset 0`,
    );
  });

  it('does not report again the torn tails recovery set aside, and still prints every complete record in them', async () => {
    const dataDir = tempDataDir();
    const file = (day: string) => join(dataDir, 'okx', `${day}.mprec`);
    // A crash cut the write of block 3; the restart's recovery sets the partial block aside, the ring hands 3 over again.
    writeRecords(dataDir, 'okx', sequence('2025-01-01', 0, 4));
    const torn = 16 + 3 * BLOCK;
    truncateSync(file('2025-01-01'), torn + 20);
    writeRecords(dataDir, 'okx', sequence('2025-01-01', 3, 2));
    expect(readFileSync(`${file('2025-01-01')}.torn-${torn}`)).toHaveLength(20);
    // What an older recovery left: complete blocks 6 and 7 aside, then the cut block 8.
    writeRecords(dataDir, 'okx', sequence('2025-01-02', 5, 4));
    const cut = 16 + BLOCK;
    writeFileSync(`${file('2025-01-02')}.torn-${cut}`, readFileSync(file('2025-01-02')).subarray(cut, -10));
    truncateSync(file('2025-01-02'), cut);
    writeRecords(dataDir, 'okx', sequence('2025-01-02', 8, 2));

    const cat = createHarness();
    expect(await main(['cat', '--data-dir', dataDir, '--venue', 'okx'], cat.context)).toBe(0);
    expect(cat.stdout.text).toBe(
      sequence('', 0, 10)
        .map((r) => `${r.payload}\n`)
        .join(''),
    );
    expect(cat.stderr.text).toBe('');

    const verify = createHarness();
    expect(await main(['verify', '--data-dir', dataDir], verify.context)).toBe(0);
    const text = verify.stdout.text;
    expect(text).toContain('okx: clean');
    expect(text).toContain(
      `torn tail set aside by recovery (a cut write, not counted): 2025-01-01.mprec.torn-${torn}: 20 bytes`,
    );
    expect(text).toContain(
      `torn tail set aside by recovery (a cut write, not counted): 2025-01-02.mprec.torn-${cut}: ${BLOCK - 10} bytes`,
    );
    expect(text).toContain(
      'total 10 records in 2 files; 0 gaps (0 missing), 0 repeats, 0 torn tails, 0 corruptions (0 B skipped), ' +
        '0 unreadable files; 2 torn tails set aside by recovery',
    );
    expect(text).not.toContain('TORN TAIL');
  });

  it('stops quietly with exit 0 when the reader goes away', async () => {
    const dataDir = tempDataDir();
    writeRecords(
      dataDir,
      'bybit',
      sequence('2025-01-01', 0, 20_000, (n) => `{"n":${n},"pad":"${'x'.repeat(40)}"}`),
    );
    let received = 0;
    const stdout = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > 100_000 ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : null);
      },
    });
    const harness = createHarness();
    expect(
      await main(['cat', '--data-dir', dataDir, '--venue', 'bybit'], { ...harness.context, stdout }),
    ).toBe(0);
    expect(received).toBeLessThan(400_000);
    expect(harness.stderr.text).toBe('');
  });

  it('exits 1 when there is nothing to print', async () => {
    const dataDir = tempDataDir();
    writeRecords(dataDir, 'binance', sequence('2025-01-01', 0, 1));
    const harness = createHarness();
    expect(await main(['cat', '--data-dir', dataDir, '--venue', 'coinbase'], harness.context)).toBe(1);
    expect(harness.stderr.text).toBe(`marketpipe: no recordings of coinbase in ${dataDir}\n`);
    const other = createHarness();
    expect(
      await main(['cat', '--data-dir', dataDir, '--venue', 'binance', '--date', '2025-02-01'], other.context),
    ).toBe(1);
    expect(other.stderr.text).toContain('no recordings of binance on 2025-02-01');
  });

  it.each([
    [['--venue', 'nyse'], 'invalid --venue "nyse": expected one of binance, coinbase, kraken, bybit, okx'],
    [
      ['--venue', 'binance', '--date', '2025-02-30'],
      'invalid --date "2025-02-30": expected a UTC day as YYYY-MM-DD',
    ],
    [['--venue', 'binance', '--date', '20250101'], 'invalid --date "20250101"'],
    [
      ['--venue', 'binance', '--date', '2026-13-45'],
      'invalid --date "2026-13-45": expected a UTC day as YYYY-MM-DD',
    ],
    [[], "required option '--venue <venue>' not specified"],
  ])('exits 2 for %j', async (args, message) => {
    const harness = createHarness();
    expect(await main(['cat', '--data-dir', tempDataDir(), ...args], harness.context)).toBe(2);
    expect(harness.stderr.text).toContain(message);
  });
});

describe('marketpipe verify', () => {
  it('reports clean recordings of every venue with counts per file, and exits 0', async () => {
    const dataDir = tempDataDir();
    writeRecords(dataDir, 'binance', [...sequence('2025-01-01', 0, 3), ...sequence('2025-01-02', 3, 2)]);
    writeRecords(dataDir, 'kraken', sequence('2025-01-02', 0, 4));
    mkdirSync(join(dataDir, 'ring'));
    writeFileSync(join(dataDir, 'ring', 'binance.ring'), 'not a record file');
    const harness = createHarness();
    expect(await main(['verify', '--data-dir', dataDir], harness.context)).toBe(0);
    const text = harness.stdout.text;
    expect(text).toContain('binance: clean');
    expect(text).toMatch(/2025-01-01\.mprec {2}3 records {2}seq 0\.\.2/);
    expect(text).toMatch(/2025-01-02\.mprec {2}2 records {2}seq 3\.\.4/);
    expect(text).toContain(
      'total 5 records in 2 files; 0 gaps (0 missing), 0 repeats, 0 torn tails, ' +
        '0 corruptions (0 B skipped), 0 unreadable files',
    );
    expect(text).toContain('kraken: clean');
    expect(text).toContain(`verify: clean (2 venues in ${dataDir})`);
  });

  it('finds a gap across days, a repeat and a torn tail, and exits 1', async () => {
    const dataDir = tempDataDir();
    writeRecords(dataDir, 'binance', [
      ...sequence('2025-01-01', 0, 10),
      ...sequence('2025-01-02', 12, 3),
      ...sequence('2025-01-02', 14, 2),
    ]);
    tearTail(dataDir, 'binance', '2025-01-02');
    const harness = createHarness();
    expect(await main(['verify', '--data-dir', dataDir, '--venue', 'binance'], harness.context)).toBe(1);
    const text = harness.stdout.text;
    expect(text).toContain('binance: PROBLEMS');
    expect(text).toContain('gap in 2025-01-02: 9 -> 12 (2 missing)');
    expect(text).toContain('repeat in 2025-01-02: 14 after 14 (duplicate or out of order)');
    expect(text).toMatch(/TORN TAIL: 2025-01-02\.mprec: 10 bytes at offset \d+ \(truncated\)/);
    expect(text).toContain('1 gaps (2 missing), 1 repeats, 1 torn tails, 0 corruptions (10 B skipped)');
    expect(text).toContain('verify: NOT CLEAN (1 of 1 venues with problems');
  });

  it('reports corruption in the middle with offset and size, counts the records after it, and exits 1', async () => {
    const dataDir = tempDataDir();
    writeRecords(dataDir, 'bybit', sequence('2025-01-01', 0, 8));
    flipBytes(dataDir, 'bybit', '2025-01-01', 16 + 3 * BLOCK + 2, 4);
    const harness = createHarness();
    expect(await main(['verify', '--data-dir', dataDir], harness.context)).toBe(1);
    const text = harness.stdout.text;
    expect(text).toMatch(/2025-01-01\.mprec {2}7 records {2}seq 0\.\.7/);
    expect(text).toContain(
      `CORRUPTION: 2025-01-01.mprec: ${BLOCK} bytes at offset ${16 + 3 * BLOCK} (checksum)`,
    );
    expect(text).toContain('gap in 2025-01-01: 2 -> 4 (1 missing)');
    expect(text).toContain(`0 torn tails, 1 corruptions (${BLOCK} B skipped)`);
    expect(text).not.toContain('TORN TAIL');
  });

  it('follows a venue folder that is a symlink, as cat does', async () => {
    const dataDir = tempDataDir();
    const elsewhere = tempDataDir();
    writeRecords(elsewhere, 'kraken', sequence('2025-01-01', 0, 3));
    symlinkSync(join(elsewhere, 'kraken'), join(dataDir, 'kraken'));
    const harness = createHarness();
    expect(await main(['verify', '--data-dir', dataDir], harness.context)).toBe(0);
    expect(harness.stdout.text).toMatch(/kraken: clean\n {2}2025-01-01\.mprec {2}3 records/);
    const cat = createHarness();
    expect(await main(['cat', '--data-dir', dataDir, '--venue', 'kraken'], cat.context)).toBe(0);
    expect(cat.stdout.text).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
  });

  it('reports a file that is not a record file', async () => {
    const dataDir = tempDataDir();
    writeRecords(dataDir, 'coinbase', sequence('2025-01-01', 0, 2));
    writeFileSync(join(dataDir, 'coinbase', '2025-01-02.mprec'), 'NOTARECORDFILE!!');
    const harness = createHarness();
    expect(await main(['verify', '--data-dir', dataDir], harness.context)).toBe(1);
    expect(harness.stdout.text).toMatch(/2025-01-02\.mprec {2}UNREADABLE: .*bad magic/);
  });

  it('exits 1 when there is nothing to verify, 2 for a bad venue', async () => {
    const harness = createHarness();
    const dataDir = tempDataDir();
    expect(await main(['verify', '--data-dir', dataDir], harness.context)).toBe(1);
    expect(harness.stderr.text).toBe(`marketpipe: no recordings in ${dataDir}\n`);
    expect(await main(['verify', '--data-dir', dataDir, '--venue', '../etc'], createHarness().context)).toBe(
      2,
    );
  });
});
