import { stringify } from 'csv-stringify/sync';

/** First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell made safe for spreadsheets (OWASP CSV Injection): a cell starting with `=`, `+`, `-`,
 * `@`, tab or carriage return gets a leading `'`, so Excel, LibreOffice and Sheets show it as text
 * instead of running it. Other cells are unchanged. Numbers are not strings and stay numbers.
 */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * The one CSV writer of the product (RFC 4180 via csv-stringify): every string cell goes through
 * `neutraliseCell`, and every string cell is quoted, so a separator inside it (`,`, or `;` where
 * that is the locale's list separator, e.g. `Tunewave;=1+1`) cannot start a new cell (OWASP). Lint forbids csv-stringify anywhere else
 * (eslint.config.js), so no CSV the product writes can skip this.
 */
export function toCsv(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return stringify(
    rows.map((row) => [...row]),
    {
      quoted_string: true,
      cast: {
        string: (value) => (FORMULA_START.test(value) ? { value: neutraliseCell(value), quote: true } : value),
      },
    },
  );
}
