import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { AdCopy } from '@kiki/shared/domain/creative.schema';
import type { AppErrorShape } from '@kiki/shared/errors';
import type { Result } from '@kiki/shared/result';
import { AD_COPY_LIMITS } from '@kiki/shared/sync/sync-mutations';
import { NO_FORM_ERRORS, type FormErrors } from '../lib/form-errors';
import { copyChangesFromForm, copyFormValues, type AdCopyChanges, type CopyFormValues } from './copy-edit';
import { FormField } from './FormField';
import { EditFormFooter } from './EditFormFooter';

export type SaveCopy = (copy: AdCopy, changes: AdCopyChanges) => Promise<Result<{ copy: AdCopy }>>;

interface Props {
  copy: AdCopy;
  onSave: SaveCopy;
  /** The saved copy, or null when cancelled or unchanged. */
  onClose: (saved: AdCopy | null) => void;
}

/** Edits a copy variant's texts. Enter saves (Shift+Enter starts a new line in the primary text), Escape cancels. */
export function CopyEditForm({ copy, onSave, onClose }: Props) {
  const [values, setValues] = useState<CopyFormValues>(() => copyFormValues(copy));
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [saveError, setSaveError] = useState<AppErrorShape | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (key: keyof CopyFormValues, value: string) => setValues((v) => ({ ...v, [key]: value }));

  const save = async () => {
    if (saving) return;
    const edit = copyChangesFromForm(copy, values);
    if (!edit.ok) {
      setErrors(edit.errors);
      return;
    }
    setErrors(NO_FORM_ERRORS);
    if (edit.changes === null) {
      onClose(null);
      return;
    }
    setSaving(true);
    setSaveError(null);
    const result = await onSave(copy, edit.changes);
    setSaving(false);
    if (result.ok) onClose(result.value.copy);
    else setSaveError(result.error);
  };

  const onTextareaKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      event.currentTarget.form?.requestSubmit();
    }
  };

  return (
    <form
      className="edit-form copy-edit-form"
      aria-label={`Edit copy variant ${copy.variantLabel}`}
      noValidate
      onSubmit={(event: FormEvent<HTMLFormElement>) => {
        event.preventDefault();
        void save();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          onClose(null);
        }
      }}
    >
      <FormField label="Headline" error={errors.fields.headline} wide>
        {(props) => (
          <input
            {...props}
            className="input"
            value={values.headline}
            maxLength={AD_COPY_LIMITS.headline}
            onChange={(e) => set('headline', e.target.value)}
            autoFocus
          />
        )}
      </FormField>
      <FormField label="Primary text" error={errors.fields.primaryText} hint="Shift+Enter for a new line" wide>
        {(props) => (
          <textarea
            {...props}
            className="input textarea"
            rows={4}
            value={values.primaryText}
            maxLength={AD_COPY_LIMITS.primaryText}
            onChange={(e) => set('primaryText', e.target.value)}
            onKeyDown={onTextareaKey}
          />
        )}
      </FormField>
      <FormField label="Call to action" error={errors.fields.callToAction}>
        {(props) => (
          <input
            {...props}
            className="input"
            value={values.callToAction}
            maxLength={AD_COPY_LIMITS.callToAction}
            onChange={(e) => set('callToAction', e.target.value)}
          />
        )}
      </FormField>
      <EditFormFooter formError={errors.form} saveError={saveError} saving={saving} onCancel={() => onClose(null)} />
    </form>
  );
}
