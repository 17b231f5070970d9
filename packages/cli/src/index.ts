export { main } from './program.ts';
export { formatTable } from './format-table.ts';
export type { Cell } from './format-table.ts';
export type { CliIO } from './io.ts';
