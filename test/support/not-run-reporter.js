// After jest's own summary: one line per suite that was not run for want of something on this
// machine (a browser), with why and how to run it. Such a test (or its describe) carries
// NOT_RUN_MARKER in its name (test/support/chromium.ts); a bare "skipped" in the counts would
// hide that it never ran.
const path = require('node:path');

const NOT_RUN_MARKER = 'NOT RUN:';

class NotRunReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const suites = new Map();
    for (const file of results.testResults) {
      for (const test of file.testResults ?? []) {
        if (test.status !== 'pending' && test.status !== 'skipped') continue;
        const titles = [...test.ancestorTitles, test.title];
        const at = titles.findIndex((t) => t.includes(NOT_RUN_MARKER));
        if (at < 0) continue;
        const title = [...titles.slice(0, at), titles[at]].join(' › ');
        const key = `${file.testFilePath}\n${title}`;
        const suite = suites.get(key) ?? { file: path.relative(this.rootDir, file.testFilePath), title, count: 0 };
        suite.count += 1;
        suites.set(key, suite);
      }
    }
    for (const { file, title, count } of suites.values()) {
      const at = title.indexOf(NOT_RUN_MARKER);
      const name = title.slice(0, at).replace(/[\s—-]+$/, '');
      const why = title.slice(at + NOT_RUN_MARKER.length).trim();
      process.stderr.write(`\nNOT RUN: ${count} test${count === 1 ? '' : 's'} in ${file} (${name}): ${why}\n`);
    }
  }
}

module.exports = NotRunReporter;
