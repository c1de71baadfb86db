// Sums the suites' results into the one line CI reads: "N passed, N failed".
// A suite that produced no result file counts as one failure.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '.test-results';
let passed = 0;
let failed = 0;
let skipped = 0;

const clog = join(dir, 'c.log');
if (existsSync(clog)) {
  for (const m of readFileSync(clog, 'utf8').matchAll(/^\[\s+(PASSED|FAILED)\s+\] (\d+) test/gm)) {
    if (m[1] === 'PASSED') passed += Number(m[2]);
    else failed += Number(m[2]);
  }
} else failed += 1;

for (const suite of ['unit.json', 'e2e.json']) {
  const file = join(dir, suite);
  if (!existsSync(file)) {
    process.stderr.write(`test-summary: ${suite} is missing (the suite did not run)\n`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  // A file that failed before any test ran (an import error, a failing hook) counts once.
  const brokenFiles = (r.testResults ?? []).filter(
    (t) => t.status === 'failed' && !(t.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  failed += r.numFailedTests + brokenFiles;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 ? 1 : 0);
