/** Whether the runtime's ICU knows this IANA timezone; metric days are computed in it, so it must be real. */
export function isValidTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}
