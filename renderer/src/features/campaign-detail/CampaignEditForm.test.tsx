// @vitest-environment happy-dom
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Campaign } from '@kiki/shared/domain/campaign.schema';
import type { Result } from '@kiki/shared/result';
import { CampaignEditForm } from './CampaignEditForm';
import type { CampaignChanges } from './campaign-edit';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const campaign: Campaign = {
  id: '0190f0a0-0000-7000-8000-0000000000c1',
  clientId: '0190f0a0-0000-7000-8000-0000000000a1',
  name: 'Spring Sale',
  objective: 'sales',
  status: 'active',
  budgetType: 'daily',
  budgetMicros: 150_000_000,
  currency: 'USD',
  startDate: '2026-03-01',
  endDate: null,
  platforms: ['meta'],
  updatedAt: '2026-03-01T00:00:00.000Z',
};

let container: HTMLElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

function field(label: string): HTMLInputElement {
  const el = [...container.querySelectorAll('label')].find((l) => l.textContent === label);
  const control = el === undefined ? null : container.querySelector<HTMLInputElement>(`#${CSS.escape(el.htmlFor)}`);
  if (control === null) throw new Error(`no field ${label}`);
  return control;
}

/** Types into a controlled input the way a browser does, so React sees the change. */
function type(input: HTMLInputElement, value: string) {
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function submit() {
  await act(async () => {
    container.querySelector('form')?.requestSubmit();
    await Promise.resolve();
  });
  await act(async () => {
    await Promise.resolve();
  });
}

function render(onSave: (c: CampaignChanges) => Promise<Result<{ campaign: Campaign }>>) {
  const onClose = vi.fn();
  act(() => root.render(createElement(CampaignEditForm, { campaign, onSave, onClose })));
  return onClose;
}

describe('CampaignEditForm', () => {
  it('saves only what changed, as exact micros, and closes with the saved campaign', async () => {
    const saved = { ...campaign, name: 'Spring Sale EU', budgetMicros: 75_250_000 };
    const onSave = vi.fn((_: CampaignChanges) => Promise.resolve({ ok: true as const, value: { campaign: saved } }));
    const onClose = render(onSave);
    type(field('Name'), 'Spring Sale EU');
    type(field('Budget (USD)'), '75.25');
    await submit();
    expect(onSave).toHaveBeenCalledWith({ name: 'Spring Sale EU', budgetType: 'daily', budgetMicros: 75_250_000 });
    expect(onClose).toHaveBeenCalledWith(saved);
  });

  it('keeps the form open with inline messages and saves nothing while input is invalid', async () => {
    const onSave = vi.fn();
    const onClose = render(onSave);
    type(field('Budget (USD)'), '-3');
    await submit();
    expect(onSave).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
    expect(field('Budget (USD)').getAttribute('aria-invalid')).toBe('true');
    expect(container.textContent).toContain('a budget cannot be negative');
  });

  it("shows core's refusal and stays open so nothing typed is lost", async () => {
    const onClose = render(() =>
      Promise.resolve({ ok: false, error: { code: 'FORBIDDEN', message: 'You may not edit this client.' } }),
    );
    type(field('Name'), 'Other');
    await submit();
    expect(container.querySelector('[role="alert"]')?.textContent).toContain('You may not edit this client.');
    expect(field('Name').value).toBe('Other');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('Escape cancels without saving', () => {
    const onSave = vi.fn();
    const onClose = render(onSave);
    type(field('Name'), 'Half typed');
    act(() => {
      field('Name').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    expect(onClose).toHaveBeenCalledWith(null);
    expect(onSave).not.toHaveBeenCalled();
  });
});
