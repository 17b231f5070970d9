import { DataError } from './errors.ts';

/**
 * Labels read from an ImageNet validation ground-truth file: either by file name (`named`, from lines
 * `<file name> <label>`, as Caffe's `val.txt`) or by position (`ordered`, one label per line, line n belonging to
 * `ILSVRC2012_val_<n>.JPEG`, the order of the devkit's `ILSVRC2012_validation_ground_truth.txt`).
 */
export type GroundTruth =
  | { readonly kind: 'named'; readonly labels: ReadonlyMap<string, number> }
  | { readonly kind: 'ordered'; readonly labels: Uint16Array };

const NEWLINE = 0x0a;
const MAX_CLASSES = 65536;

/**
 * Parses a ground-truth file. Each non-empty line is either `<file name> <label>` or `<label>`; all lines must
 * use the same form. Labels are decimal integers in `[0, classes)` used as they are: the devkit's file holds 1-based
 * ILSVRC2012_IDs in the devkit's own class order, which is NOT torchvision's sorted-synset order — convert it
 * first, or use a file already in that order such as Caffe's `val.txt` (`ILSVRC2012_val_00000001.JPEG 65`).
 * Trailing empty lines and `\r\n` line ends are accepted.
 *
 * @param bytes the file contents (UTF-8 or ASCII).
 * @param file the file name, used in error messages.
 * @param classes number of classes (labels must be smaller). @default 1000
 * @returns the labels by name or by position.
 * @throws {DataError} naming the byte offset of the first malformed line, out-of-range label or duplicate name.
 * @example
 * ```ts
 * parseGroundTruth(new TextEncoder().encode('a.JPEG 65\nb.JPEG 970\n'), 'val.txt');
 * // { kind: 'named', labels: Map { 'a.JPEG' => 65, 'b.JPEG' => 970 } }
 * ```
 */
export function parseGroundTruth(bytes: Uint8Array, file: string, classes = 1000): GroundTruth {
  if (!Number.isSafeInteger(classes) || classes < 1 || classes > MAX_CLASSES) {
    throw new RangeError(`parseGroundTruth: classes must be an integer in [1, ${MAX_CLASSES}], got ${classes}`);
  }
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const lines: { offset: number; tokens: string[] }[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    const text = decoder.decode(bytes.subarray(start, end)).trim();
    lines.push({ offset: start, tokens: text === '' ? [] : text.split(/\s+/) });
    start = end + 1;
  }
  while (lines.length > 0 && lines[lines.length - 1]!.tokens.length === 0) lines.pop();
  if (lines.length === 0) throw new DataError(file, 0, 'the ground-truth file is empty: expected one `<file name> <label>` or `<label>` per line');
  const width = lines[0]!.tokens.length;
  if (width !== 1 && width !== 2) {
    throw new DataError(file, 0, `expected \`<file name> <label>\` or \`<label>\` per line, the first line has ${width} fields`);
  }
  const label = (token: string, offset: number): number => {
    const value = /^\d{1,9}$/.test(token) ? Number(token) : NaN;
    if (!(value < classes)) {
      throw new DataError(
        file,
        offset,
        Number.isNaN(value)
          ? `label ${JSON.stringify(token.slice(0, 40))} is not a non-negative integer`
          : `label ${value} is out of range [0, ${classes - 1}]${value === classes ? ' (1-based labels such as the devkit\'s ILSVRC2012_IDs must be converted to 0-based class indices)' : ''}`,
      );
    }
    return value;
  };
  const check = (tokens: string[], offset: number, n: number): void => {
    if (tokens.length !== width) {
      throw new DataError(file, offset, `line ${n + 1} has ${tokens.length} fields, the first line has ${width}: every line must have the same form`);
    }
  };
  if (width === 1) {
    const labels = new Uint16Array(lines.length);
    lines.forEach(({ offset, tokens }, n) => {
      check(tokens, offset, n);
      labels[n] = label(tokens[0]!, offset);
    });
    return { kind: 'ordered', labels };
  }
  const labels = new Map<string, number>();
  lines.forEach(({ offset, tokens }, n) => {
    check(tokens, offset, n);
    const name = tokens[0]!.slice(tokens[0]!.lastIndexOf('/') + 1);
    if (labels.has(name)) throw new DataError(file, offset, `${name} is listed twice`);
    labels.set(name, label(tokens[1]!, offset));
  });
  return { kind: 'named', labels };
}
