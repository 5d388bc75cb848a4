import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCell, resultsTableHtml, writeResultsTable } from '../../src/report/results_table.ts';

test('writeResultsTable renders a GitHub Markdown table with numeric columns right-aligned', () => {
  const md = writeResultsTable([
    { method: 'SupCon', epochs: 100, test_accuracy: 0.81234, lr: 0.00005 },
    { method: 'cross-entropy | baseline', test_accuracy: 0.79 },
  ]);
  assert.equal(
    md,
    [
      '| method | epochs | test_accuracy | lr |',
      '| --- | ---: | ---: | ---: |',
      '| SupCon | 100 | 0.8123 | 5.00e-5 |',
      '| cross-entropy \\| baseline |  | 0.7900 |  |',
    ].join('\n'),
  );
  assert.equal(writeResultsTable([]), '');
});

test('formatCell keeps integers and strings, rounds fractions', () => {
  assert.equal(formatCell(3), '3');
  assert.equal(formatCell('a'), 'a');
  assert.equal(formatCell(0.5), '0.5000');
  assert.equal(formatCell(Number.NaN), 'NaN');
  assert.equal(formatCell(undefined), '');
});

test('resultsTableHtml escapes cell text', () => {
  const html = resultsTableHtml([{ method: '<b>x</b>', acc: 0.5 }]);
  assert.match(html, /<td>&lt;b&gt;x&lt;\/b&gt;<\/td><td class="num">0\.5000<\/td>/);
});
