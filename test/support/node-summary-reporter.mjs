// @ts-check

/**
 * A node:test reporter that lists every test with its duration and ends
 * with the same plain line as the browser tests' reporter,
 * `N passed, N failed, N skipped`, so CI adds the two up.
 * @param {AsyncIterable<{type: string, data: any}>} source
 */
export default async function* summaryReporter(source) {
  const counts = {passed: 0, failed: 0, skipped: 0};
  for await (const {type, data} of source) {
    if (type === 'test:diagnostic' && data.nesting === 0) continue;
    if (type !== 'test:pass' && type !== 'test:fail') {
      if (type === 'test:stdout' || type === 'test:stderr') yield data.message;
      continue;
    }
    if (data.details?.type === 'suite') continue;
    const status = data.skip || data.todo ? 'skipped' : type === 'test:pass' ? 'passed' : 'failed';
    counts[status]++;
    const seconds = ((data.details?.duration_ms ?? 0) / 1000).toFixed(1);
    yield `  ${status === 'passed' ? '✓' : status === 'failed' ? '✗' : '-'} ${data.file ? `${data.file.replace(process.cwd() + '/', '')} › ` : ''}${data.name} (${seconds} s)\n`;
    if (status === 'failed') yield `      ${String(data.details?.error?.cause ?? data.details?.error).split('\n').join('\n      ')}\n`;
  }
  yield `\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`;
}
