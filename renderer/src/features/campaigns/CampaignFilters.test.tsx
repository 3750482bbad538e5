// @vitest-environment happy-dom
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readCampaignFilters, type QueryUpdate } from '../../lib/query-state';
import { CampaignFilters, SEARCH_DEBOUNCE_MS } from './CampaignFilters';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLElement;
let root: Root;

beforeEach(() => {
  vi.useFakeTimers();
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  vi.useRealTimers();
});

function renderFilters(query: string, update: (u: QueryUpdate) => void) {
  act(() =>
    root.render(createElement(CampaignFilters, { filters: readCampaignFilters(new URLSearchParams(query)), update })),
  );
}

/** Types like a person: React listens to native input events, so set the value the way the browser does. */
function type(input: HTMLInputElement, text: string) {
  // React tracks the instance's value, so only the prototype's setter makes the change visible to onChange.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(input) below.
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
  for (let i = 1; i <= text.length; i++) {
    act(() => {
      setValue?.call(input, text.slice(0, i));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      vi.advanceTimersByTime(50);
    });
  }
}

describe('CampaignFilters', () => {
  it('debounces the search: a burst of keystrokes becomes one filter update', () => {
    const update = vi.fn();
    renderFilters('', update);
    const search = container.querySelector<HTMLInputElement>('input[type="search"]')!;
    type(search, 'Serum');
    expect(update).not.toHaveBeenCalled();
    act(() => {
      vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    });
    expect(update).toHaveBeenCalledTimes(1);
    expect(update).toHaveBeenCalledWith({ search: 'Serum', page: 1 }, { replace: true });
  });

  it('toggles platform and status filters and resets to the first page', () => {
    const update = vi.fn();
    renderFilters('platform=meta&page=3', update);
    const button = (name: string) =>
      [...container.querySelectorAll('button')].find((b) => b.textContent === name) as HTMLButtonElement;
    expect(button('Meta').getAttribute('aria-pressed')).toBe('true');
    act(() => button('TikTok').click());
    expect(update).toHaveBeenLastCalledWith({ platforms: ['meta', 'tiktok'], page: 1 });
    act(() => button('Meta').click());
    expect(update).toHaveBeenLastCalledWith({ platforms: [], page: 1 });
    act(() => button('Paused').click());
    expect(update).toHaveBeenLastCalledWith({ statuses: ['paused'], page: 1 });
  });

  it('follows the URL when back/forward changes the search, without writing the old text back', () => {
    const update = vi.fn();
    renderFilters('q=old', update);
    const search = container.querySelector<HTMLInputElement>('input[type="search"]')!;
    expect(search.value).toBe('old');
    renderFilters('', update);
    expect(search.value).toBe('');
    act(() => {
      vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS * 2);
    });
    expect(update).not.toHaveBeenCalled();
  });
});
