/**
 * Spreadsheet apps run cells that start with = + - @ (or a tab/CR) as formulas, so a client named
 * "=HYPERLINK(...)" could execute in an admin's Excel. Such cells get a leading apostrophe (OWASP CSV
 * injection advice); everything else is exported unchanged.
 */
export function csvSafeCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
