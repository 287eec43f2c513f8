/**
 * The initializer of a counter field that may pass 2^31 in a long run (bytes, summed nanoseconds, messages): write
 * `#count = DOUBLE_FIELD;` and set the field to 0 in the constructor.
 *
 * V8 keeps integers below 2^31 as small integers. A field that starts at `0` holds one, and the optimizing compiler
 * builds the code that adds to it for small integers, with an overflow check. When the counter passes 2^31 (2 GiB
 * received, 2.1 s of summed latencies, 2^31 messages), that check deoptimizes the function doing the addition and
 * every function it is inlined into, the hot path included; the field then changes representation, which throws
 * away the compiled code of every function that used an object of the class. `-0` is not a small integer: a field
 * that starts with it holds a double from the first store on (and still does after the constructor sets it to 0),
 * so the additions are compiled for doubles, exact to 2^53, and nothing happens at 2^31. Measured on Node 20, 22,
 * 24 and 26: docs/design/latency-tail.md, "Counters past 2^31".
 *
 * The constructor's `= 0` matters: `-0` itself prints as "-0" through `toLocaleString` and fails `Object.is(x, 0)`.
 */
export const DOUBLE_FIELD = -0;

/**
 * An empty array whose elements V8 keeps as doubles for good, for counts or ordinals that may pass 2^31 (see
 * {@link DOUBLE_FIELD}): an array of small integers changes its elements' kind at the first larger value, which
 * deoptimizes every function that reads or writes it.
 */
export function doubleArray(): number[] {
  const values = [DOUBLE_FIELD];
  values.length = 0;
  return values;
}
