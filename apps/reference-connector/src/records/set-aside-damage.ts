/**
 * Which damage `cat` and `verify` count. A torn tail inside a set-aside file
 * (`<day>.mprec.torn-<offset>`) is the partial block of a write that a crash
 * cut: start-up recovery already set it aside and counted it
 * (`recorder.setAsideBytes`), and a block that was never completely written
 * holds no record that was ever readable, so it is listed but not counted as
 * new damage. Corruption, in a set-aside file or not, and a torn tail still
 * in a day file (no recovery has run since the crash) are counted.
 */
import type { RecordDamage } from '@marketpipe/connector/recording';

/** True when `damage` is a torn tail in one of `dayFile`'s set-aside files (see the module note). */
export function isSetAsideTornTail(damage: RecordDamage, dayFile: string): boolean {
  return damage.kind === 'tornTail' && damage.file !== dayFile;
}
