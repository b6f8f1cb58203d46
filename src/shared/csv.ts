/**
 * CSV as RFC 4180 asks: fields with a comma, quote or line break quoted
 * (quotes doubled), CRLF line ends. A field that a spreadsheet would run as a
 * formula (=, +, -, @, tab, CR) is prefixed with ' — file and class names
 * come from untrusted zips.
 */
export function toCsv(rows: ReadonlyArray<readonly string[]>): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
