import { useEffect, useState } from 'react';

/** `value`, but only after it stopped changing for `delayMs`: typing in a filter fires one query, not ten. */
export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}
