import { useRef, useState, type FormEvent } from 'react';
import { syncRpcMethods, type Session } from '@kiki/shared/contract/sync-contract';
import { formErrorsFromZod, NO_FORM_ERRORS, type FormErrors } from '../../lib/form-errors';
import { useRpcMutation } from '../../lib/use-rpc-mutation';
import { FormField } from '../../ui/FormField';
import { Spinner } from '../../ui/Spinner';
import { SignInError } from './SignInError';

const verifyInput = syncRpcMethods['session.verifyMfa'].input;

interface Props {
  expiresAt: string;
  onDone: (session: Extract<Session, { state: 'signedIn' }>) => void;
  onStartAgain: () => void;
}

/** Step 2: the authenticator code, or a recovery code for someone without their phone. */
export function MfaStep({ expiresAt, onDone, onStartAgain }: Props) {
  const verify = useRpcMutation('session.verifyMfa');
  const [useRecovery, setUseRecovery] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const inputRef = useRef<HTMLInputElement>(null);
  const field = useRecovery ? 'recoveryCode' : 'code';
  const fieldError = errors.fields[field] ?? errors.form ?? undefined;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (Date.parse(expiresAt) <= Date.now()) {
      setErrors({ fields: {}, form: 'This sign-in took too long. Start again with your password.' });
      return;
    }
    const value = new FormData(event.currentTarget).get(field);
    const parsed = verifyInput.safeParse({ [field]: value });
    if (!parsed.success) {
      setErrors(formErrorsFromZod(parsed.error));
      return;
    }
    setErrors(NO_FORM_ERRORS);
    const result = await verify.mutate(parsed.data);
    if (inputRef.current !== null) inputRef.current.value = '';
    if (result.ok) onDone(result.value);
    else inputRef.current?.focus();
  };

  return (
    <form className="form-stack" onSubmit={(e) => void submit(e)} noValidate aria-busy={verify.isPending}>
      <p>
        {useRecovery
          ? 'Enter one of the recovery codes you saved when you set up two-step verification. Each works once.'
          : 'Enter the 6-digit code from your authenticator app.'}
      </p>
      <FormField label={useRecovery ? 'Recovery code' : 'Authentication code'} error={fieldError}>
        {(control) => (
          <input
            {...control}
            key={field}
            ref={inputRef}
            name={field}
            className={useRecovery ? 'input input-wide mono' : 'input input-code mono'}
            inputMode={useRecovery ? 'text' : 'numeric'}
            autoComplete="one-time-code"
            maxLength={useRecovery ? 64 : 6}
            pattern={useRecovery ? undefined : '[0-9]{6}'}
            spellCheck={false}
            // The step replaces the password form, so the field the user needs next is focused for them.
            autoFocus
          />
        )}
      </FormField>
      {verify.error !== null && <SignInError error={verify.error} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={verify.isPending}>
          {verify.isPending && <Spinner />}
          {verify.isPending ? 'Checking…' : 'Verify'}
        </button>
        <button
          type="button"
          className="button button-ghost"
          onClick={() => {
            setUseRecovery((r) => !r);
            setErrors(NO_FORM_ERRORS);
            verify.reset();
          }}
        >
          {useRecovery ? 'Use the authenticator code instead' : 'Use a recovery code instead'}
        </button>
        <button type="button" className="button button-ghost" onClick={onStartAgain}>
          Start again
        </button>
      </div>
    </form>
  );
}
