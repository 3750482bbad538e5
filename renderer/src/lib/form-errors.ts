import type { z } from 'zod';

/** What a form shows next to its fields: the first message per field, and messages about the whole form. */
export interface FormErrors {
  fields: Partial<Record<string, string>>;
  form: string | null;
}

export const NO_FORM_ERRORS: FormErrors = { fields: {}, form: null };

/** Turns a zod failure into inline messages keyed by the top-level field each issue points at. */
export function formErrorsFromZod(error: z.ZodError): FormErrors {
  const fields: Partial<Record<string, string>> = {};
  const formMessages: string[] = [];
  for (const issue of error.issues) {
    const key = issue.path[0];
    if (typeof key === 'string') fields[key] ??= issue.message;
    else formMessages.push(issue.message);
  }
  return { fields, form: formMessages.length === 0 ? null : formMessages.join('; ') };
}
