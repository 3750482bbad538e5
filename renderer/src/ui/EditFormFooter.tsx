import type { AppErrorShape } from '@kiki/shared/errors';
import { Spinner } from './Spinner';

interface EditFormFooterProps {
  /** A message about the form as a whole (not one field), e.g. "nothing to change". */
  formError: string | null;
  /** Why core refused the save. */
  saveError: AppErrorShape | null;
  saving: boolean;
  onCancel: () => void;
  hint?: string;
}

/** The end of every offline edit form: form-level errors, Save and Cancel. */
export function EditFormFooter({ formError, saveError, saving, onCancel, hint }: EditFormFooterProps) {
  return (
    <>
      {formError !== null && (
        <p className="field-error" role="alert">
          {formError}
        </p>
      )}
      {saveError !== null && (
        <div className="form-alert" role="alert">
          <p>{saveError.message}</p>
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving && <Spinner />}
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        {hint !== undefined && <span className="muted form-keys">{hint}</span>}
      </div>
    </>
  );
}
