import { expect, it } from 'vitest';
import { formatTable } from './format-table.ts';

it('aligns text left and numbers right, with thousands separators', () => {
  expect(formatTable([{ name: 'conv1', bits: 301056 }, { name: 'fc', bits: 16416000 }])).toBe(
    ['name         bits', '-----  ----------', 'conv1     301,056', 'fc     16,416,000'].join('\n'),
  );
  expect(formatTable([])).toBe('(no rows)');
});
