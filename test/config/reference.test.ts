// The README's configuration reference is the flag table's, and every command offers the table's flags.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FLAGS } from '../../src/config/flags.ts';
import { REFERENCE_END, REFERENCE_START, configReference } from '../../src/config/reference.ts';
import { compareCommand } from '../../src/cli/compare_command.ts';
import { experimentCommand } from '../../src/cli/experiment_command.ts';
import { trainCommand } from '../../src/cli/train_command.ts';
import { buildGraphCommand } from '../../src/cli/build_graph_command.ts';

test('the README configuration reference is generated from the flag table (npm run config-reference)', () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = readme.slice(readme.indexOf(REFERENCE_START) + REFERENCE_START.length, readme.indexOf(REFERENCE_END)).trim();
  assert.equal(block, configReference(), 'README.md is stale: run npm run config-reference');
  for (const f of FLAGS) assert.ok(block.includes(`\`${f.name}`), f.name);
});

test('train, compare and experiment offer every flag; build-graph those that shape graphs, by the same names', () => {
  const names = (cmd: { options: readonly { long?: string; hidden?: boolean }[] }): string[] => cmd.options.filter((o) => !o.hidden).map((o) => o.long ?? '');
  for (const cmd of [trainCommand(), compareCommand(), experimentCommand()]) {
    for (const f of FLAGS) assert.ok(names(cmd).includes(f.name), `${cmd.name()} ${f.name}`);
  }
  const graph = names(buildGraphCommand());
  for (const f of FLAGS) assert.equal(graph.includes(f.name), f.graph === true, `build-graph ${f.name}`);
});
