// Prints the figures the fault scenarios reported (fault-stack.ts reportFigures) as one table.
const { existsSync, readFileSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const FIGURES_FILE = path.join(os.tmpdir(), 'hookrelay-fault-figures.jsonl');

class FaultSummaryReporter {
  onRunStart() {
    rmSync(FIGURES_FILE, { force: true });
  }

  onRunComplete() {
    if (!existsSync(FIGURES_FILE)) return;
    const rows = readFileSync(FIGURES_FILE, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const columns = ['scenario', 'deliveries', 'succeeded', 'failed', 'lost', 'duplicates', 'recoverySeconds', 'totalSeconds', 'note'];
    const cells = rows.map((row) =>
      columns.map((column) => (typeof row[column] === 'number' ? String(Math.round(row[column] * 10) / 10) : String(row[column] ?? ''))),
    );
    const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((cell) => cell[i].length)));
    const line = (values) => '| ' + values.map((value, i) => value.padEnd(widths[i])).join(' | ') + ' |';
    console.log('\nFault tests — figures');
    console.log(line(columns));
    console.log('|' + widths.map((width) => '-'.repeat(width + 2)).join('|') + '|');
    for (const cell of cells) console.log(line(cell));
  }
}

module.exports = FaultSummaryReporter;
