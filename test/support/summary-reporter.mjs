// @ts-check

/**
 * Lists every test with its duration, then prints the plain closing line
 * `N passed, N failed, N skipped` on its own (wtr's own summary line has a
 * progress bar in front of it, which CI cannot read). A test file that
 * failed to load or run counts as one failure.
 * @returns {import('@web/test-runner').Reporter}
 */
export function summaryReporter() {
  return {
    stop({sessions}) {
      const counts = {passed: 0, failed: 0, skipped: 0};
      const lines = [];
      /** @param {import('@web/test-runner').TestSuiteResult} suite @param {string} prefix */
      const visit = (suite, prefix) => {
        for (const test of suite.tests) {
          const status = test.skipped ? 'skipped' : test.passed ? 'passed' : 'failed';
          counts[status]++;
          const ms = test.duration === undefined ? '' : ` (${(test.duration / 1000).toFixed(1)} s)`;
          lines.push(`  ${status === 'passed' ? '✓' : status === 'failed' ? '✗' : '-'} ${prefix}${test.name}${ms}`);
        }
        for (const child of suite.suites) visit(child, `${prefix}${child.name} › `);
      };
      for (const session of sessions) {
        lines.push(session.testFile.replace(process.cwd() + '/', ''));
        if (session.testResults) visit(session.testResults, '');
        const runFailed = session.errors.length > 0 || (session.passed === false && !session.testResults?.tests.length && !session.testResults?.suites.length);
        if (runFailed) {
          counts.failed++;
          for (const error of session.errors) lines.push(`  ✗ ${error.message}`);
        }
      }
      console.log(`\n${lines.join('\n')}\n\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    },
  };
}
