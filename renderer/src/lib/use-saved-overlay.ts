import { useCallback, useLayoutEffect, useRef, useState } from 'react';

interface Overlay<D, T> {
  base: D | undefined;
  items: ReadonlyMap<string, T>;
}

/**
 * Shows what a save returned until the page's next fetch arrives. Core commits an edit before it answers, so
 * any answer fetched afterwards already holds the edit; the overlay only bridges the moment in between, and is
 * dropped as soon as the data changes so a teammate's later change is never masked.
 */
export function useSavedOverlay<D, T extends { id: string }>(data: D | undefined) {
  const latest = useRef(data);
  useLayoutEffect(() => {
    latest.current = data;
  });
  const [overlay, setOverlay] = useState<Overlay<D, T>>({ base: undefined, items: new Map() });
  const items = overlay.base === data ? overlay.items : null;

  const remember = useCallback((item: T) => {
    setOverlay((o) => {
      const base = latest.current;
      const next = new Map(o.base === base ? o.items : []);
      next.set(item.id, item);
      return { base, items: next };
    });
  }, []);

  const apply = useCallback((item: T): T => items?.get(item.id) ?? item, [items]);
  return { apply, remember };
}
