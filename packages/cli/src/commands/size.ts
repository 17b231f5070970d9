import { readFileSync } from 'node:fs';
import {
  accountSize,
  lenet5Layers,
  resnet18ImagenetLayers,
  type LayerSpec,
  type SizeConvention,
  type SizeReport,
} from '@quantprune/formats';
import { formatTable } from '../format-table.ts';
import { CliError, type CliIO } from '../io.ts';

/** Named layer lists for `quantprune size --preset`, with the convention they are usually reported under. */
export const PRESETS: Record<string, { description: string; convention: SizeConvention; layers: () => LayerSpec[] }> = {
  'resnet18-bnn': {
    description: 'ResNet-18 ImageNet, binary body + downsample, FP32 stem and fc, PReLU (Paper A)',
    convention: 'paper-a',
    layers: () => resnet18ImagenetLayers({ bodyBits: 1, prelu: true }),
  },
  'resnet18-dorefa-w2': {
    description: 'ResNet-18 ImageNet, DoReFa 2-bit body, 1-bit downsample, FP32 stem and fc, PReLU (Paper A code)',
    convention: 'paper-a',
    layers: () => resnet18ImagenetLayers({ bodyBits: 2, downsampleBits: 1, prelu: true }),
  },
  'resnet18-fp32': {
    description: 'ResNet-18 ImageNet, full precision (torchvision)',
    convention: 'paper-a',
    layers: () => resnet18ImagenetLayers(),
  },
  'lenet5-fp32': {
    description: 'Caffe LeNet-5, dense FP32 (Paper B baseline)',
    convention: 'weights-only',
    layers: () => lenet5Layers(),
  },
};

/** Text of a size report: per-layer table and totals. */
export function sizeReportText(title: string, report: SizeReport): string {
  const rows = report.rows.map((r) => ({
    layer: r.name,
    kind: r.kind,
    shape: `[${r.shape.join('×')}]`,
    params: r.params,
    'bits/w': r.weightBits,
    bits: r.bits,
  }));
  return [
    `${title} — convention ${report.convention}${report.approximate ? ' (lower bound: some index counts lack a mask)' : ''}`,
    formatTable(rows),
    `total: ${report.totalParams.toLocaleString('en-US')} params, ${report.totalBits.toLocaleString('en-US')} bits = ${report.mib.toFixed(4)} MiB (2^20 B) = ${report.mb.toFixed(4)} MB (10^6 B)`,
  ].join('\n');
}

/** Reads a JSON layer list: an array of {@link LayerSpec} (masks are not accepted in JSON). */
function readLayers(file: string): LayerSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file}: not a JSON layer list: ${(e as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { layers?: unknown })?.layers;
  if (!Array.isArray(list)) throw new CliError(`${file}: expected an array of layers or { "layers": [...] }`);
  return list as LayerSpec[];
}

/** `quantprune size (--preset NAME | --layers FILE.json) [--convention C] [--index-bits relative] [--json]`. */
export function sizeCommand(
  options: { preset?: string; layers?: string; convention?: string; indexBits?: string; json?: boolean },
  io: CliIO,
): number {
  if (!options.preset === !options.layers) throw new CliError(`give exactly one of --preset (${Object.keys(PRESETS).join(', ')}) or --layers FILE.json`);
  let layers: LayerSpec[];
  let convention = options.convention as SizeConvention | undefined;
  let title: string;
  if (options.preset) {
    const preset = PRESETS[options.preset];
    if (!preset) throw new CliError(`unknown preset "${options.preset}"; presets: ${Object.keys(PRESETS).join(', ')}`);
    layers = preset.layers();
    convention ??= preset.convention;
    title = `${options.preset}: ${preset.description}`;
  } else {
    layers = readLayers(options.layers!);
    title = options.layers!;
  }
  if (options.indexBits !== undefined && options.indexBits !== 'none' && options.indexBits !== 'relative') {
    throw new CliError(`--index-bits must be none or relative, got "${options.indexBits}"`);
  }
  const report = accountSize(layers, convention ?? 'paper-a', { indexBits: (options.indexBits as 'none' | 'relative' | undefined) ?? 'none' });
  io.out(options.json ? JSON.stringify(report, null, 2) : sizeReportText(title, report));
  return 0;
}
