import { describe, expect, it } from 'vitest';
import {
  type ConsumerState,
  publishConsumerState,
  publishWriteSequence,
  readConsumerState,
  readWriteSequence,
} from './ring-header.js';

const READ_GENERATION_WORD = 33;
const WRITE_GENERATION_WORD = 17;

describe('two-copy header values', () => {
  it('round-trips sequences above 2^32 exactly', () => {
    const words = new Int32Array(1024);
    const state: ConsumerState = { head: 0, sequence: 0 };
    publishConsumerState(words, 0xfffffff0, 2 ** 52 + 12345);
    expect(readConsumerState(words, state)).toEqual({ head: 0xfffffff0, sequence: 2 ** 52 + 12345 });
    publishWriteSequence(words, 2 ** 40 + 7);
    expect(readWriteSequence(words)).toBe(2 ** 40 + 7);
  });

  it('falls back to the previous complete consumer state when a writer died half way', () => {
    const words = new Int32Array(1024);
    publishConsumerState(words, 10, 2 ** 33 + 5);
    publishConsumerState(words, 20, 2 ** 33 + 9);
    // Killed after starting the next update: generation odd, copy A half overwritten.
    words[READ_GENERATION_WORD] = words[READ_GENERATION_WORD]! + 1;
    words[34] = 30;
    words[35] = 0;
    expect(readConsumerState(words, { head: 0, sequence: 0 })).toEqual({ head: 20, sequence: 2 ** 33 + 9 });
  });

  it('falls back to the previous complete write sequence when a writer died half way', () => {
    const words = new Int32Array(1024);
    publishWriteSequence(words, 2 ** 32 - 1);
    words[WRITE_GENERATION_WORD] = words[WRITE_GENERATION_WORD]! + 1;
    words[19] = 1;
    expect(readWriteSequence(words)).toBe(2 ** 32 - 1);
  });
});
