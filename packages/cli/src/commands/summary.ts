import {
  applyPrecision,
  createModel,
  PRECISION_PRESETS,
  summarize,
  ZOO_NAMES,
  type GraphSummary,
  type PrecisionPreset,
  type ZooName,
} from '@quantprune/graph';
import type { SizeConvention } from '@quantprune/formats';
import { formatTable } from '../format-table.ts';
import { CliError, type CliIO } from '../io.ts';

/** Options of `quantprune summary`. */
export interface SummaryCommandOptions {
  readonly precision?: string;
  readonly firstLast?: string;
  readonly convention?: string;
  readonly json?: boolean;
}

/** Text of a graph summary: title, per-layer table and totals. */
export function summaryText(title: string, s: GraphSummary): string {
  const rows = s.rows.map((r) => ({
    layer: r.name,
    kind: r.kind,
    shape: `[${r.shape.join('×')}]`,
    params: r.params,
    'precision (W/A)': r.precision,
    'bits/w': r.weightBits,
    bits: r.bits,
    bytes: r.bytes,
    sparsity: r.sparsity,
    MACs: r.macs,
  }));
  const n = (v: number): string => v.toLocaleString('en-US');
  return [
    `${title} — convention ${s.convention}${s.approximate ? ' (lower bound: some index counts lack a mask)' : ''}`,
    formatTable(rows),
    `total: ${n(s.totals.params)} params, ${n(s.totals.bits)} bits = ${n(s.totals.bytes)} bytes = ${s.totals.mib.toFixed(4)} MiB (2^20 B) = ${s.totals.mb.toFixed(4)} MB (10^6 B), ${n(s.totals.macs)} MACs per sample`,
  ].join('\n');
}

/**
 * `quantprune summary <model> [--precision P] [--first-last fp32|quantized] [--convention C] [--json]`: the
 * per-layer size table of a zoo model under a precision preset.
 */
export function summaryCommand(model: string, options: SummaryCommandOptions, io: CliIO): number {
  const oneOf = <T extends string>(what: string, value: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new CliError(`${what} must be one of ${allowed.join(', ')}, got "${value}"`);
    return value as T;
  };
  const name = oneOf<ZooName>('model', model, ZOO_NAMES);
  const precision = oneOf<PrecisionPreset>('--precision', options.precision ?? 'fp32', PRECISION_PRESETS);
  const firstLast = oneOf('--first-last', options.firstLast ?? 'fp32', ['fp32', 'quantized'] as const);
  const convention = oneOf<SizeConvention>('--convention', options.convention ?? 'paper-a', ['paper-a', 'weights-only']);
  const graph = applyPrecision(createModel(name), precision, { firstLast });
  const summary = summarize(graph, { convention });
  const title = `${name}, precision ${precision}${precision === 'fp32' ? '' : `, first/last layer ${firstLast}`}`;
  io.out(options.json ? JSON.stringify(summary, null, 2) : summaryText(title, summary));
  return 0;
}
