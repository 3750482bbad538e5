import { useId, useRef, useState, type FormEvent, type Ref } from 'react';
import { Link, useNavigate } from 'react-router';
import { syncRpcMethods } from '@kiki/shared/contract/sync-contract';
import { formErrorsFromZod, NO_FORM_ERRORS, type FormErrors } from '../../lib/form-errors';
import { useRpcMutation } from '../../lib/use-rpc-mutation';
import { useSync } from '../sync/sync-context';
import { FormField } from '../../ui/FormField';
import { Spinner } from '../../ui/Spinner';
import { MfaStep } from './MfaStep';
import { SignInError } from './SignInError';

type Step = { name: 'credentials' } | { name: 'mfa'; expiresAt: string } | { name: 'enrol' };

const signInInput = syncRpcMethods['session.signIn'].input;

export default function SignInPage() {
  const { session, applySession } = useSync();
  const navigate = useNavigate();
  const signIn = useRpcMutation('session.signIn');
  const [step, setStep] = useState<Step>({ name: 'credentials' });
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const passwordRef = useRef<HTMLInputElement>(null);
  const id = useId();

  if (session === null) {
    return (
      <div className="page page-narrow">
        <p className="muted">Checking who is signed in…</p>
      </div>
    );
  }
  if (session.state === 'signedIn') {
    return (
      <div className="page page-narrow">
        <section className="panel sign-in">
          <h1 className="page-title">You are signed in</h1>
          <p>
            {session.user.displayName} ({session.user.email}) at {session.org.name}, on{' '}
            <span className="mono">{session.serverUrl}</span>.
          </p>
          <p>
            <Link to="/dashboard">Go to the dashboard</Link>
          </p>
        </section>
      </div>
    );
  }

  const defaultServerUrl = session.state === 'expired' ? session.serverUrl : (session.lastServerUrl ?? '');
  const defaultEmail = session.state === 'expired' ? session.email : '';

  const submitCredentials = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = signInInput.safeParse({
      serverUrl: form.get('serverUrl'),
      email: form.get('email'),
      password: form.get('password'),
    });
    // The password lives only in the input and this handler; the field is emptied once it has been sent.
    if (!parsed.success) {
      setErrors(formErrorsFromZod(parsed.error));
      return;
    }
    setErrors(NO_FORM_ERRORS);
    const result = await signIn.mutate(parsed.data);
    if (passwordRef.current !== null) passwordRef.current.value = '';
    if (!result.ok) {
      passwordRef.current?.focus();
      return;
    }
    if (result.value.step === 'done') {
      applySession(result.value.session);
      void navigate('/dashboard');
    } else if (result.value.step === 'mfa') {
      setStep({ name: 'mfa', expiresAt: result.value.expiresAt });
    } else {
      setStep({ name: 'enrol' });
    }
  };

  return (
    <div className="page page-narrow">
      <section className="panel sign-in" aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`} className="page-title">
          Sign in to your team server
        </h1>
        {session.state === 'expired' && step.name === 'credentials' && (
          <div className="form-notice" role="status">
            <p>Your session ended: {session.reason}</p>
            <p className="muted">Sign in again; edits you made meanwhile are kept and sync afterwards.</p>
          </div>
        )}

        {step.name === 'credentials' && (
          <form
            className="form-stack"
            onSubmit={(e) => void submitCredentials(e)}
            noValidate
            aria-busy={signIn.isPending}
          >
            <p className="muted">
              Your campaigns sync from your agency&apos;s KIKI server. Edits you make offline are kept and sent when you
              are back online.
            </p>
            <TextField
              label="Server address"
              name="serverUrl"
              type="url"
              defaultValue={defaultServerUrl}
              placeholder="https://kiki.your-agency.com"
              autoComplete="url"
              error={errors.fields.serverUrl}
            />
            <TextField
              label="Email"
              name="email"
              type="email"
              defaultValue={defaultEmail}
              autoComplete="username"
              error={errors.fields.email}
            />
            <TextField
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              inputRef={passwordRef}
              error={errors.fields.password}
            />
            {errors.form !== null && (
              <p className="field-error" role="alert">
                {errors.form}
              </p>
            )}
            {signIn.error !== null && <SignInError error={signIn.error} />}
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={signIn.isPending}>
                {signIn.isPending && <Spinner />}
                {signIn.isPending ? 'Signing in…' : 'Sign in'}
              </button>
            </div>
          </form>
        )}

        {step.name === 'mfa' && (
          <MfaStep
            expiresAt={step.expiresAt}
            onDone={(signedIn) => {
              applySession(signedIn);
              void navigate('/dashboard');
            }}
            onStartAgain={() => {
              signIn.reset();
              setStep({ name: 'credentials' });
            }}
          />
        )}

        {step.name === 'enrol' && (
          <div className="form-stack">
            <div className="form-alert" role="alert">
              <p>Your agency requires two-step verification, and this account has not set it up yet.</p>
              <p className="muted">
                Open your agency&apos;s KIKI web console in a browser, sign in there and add an authenticator app under
                your profile. Then come back and sign in here.
              </p>
            </div>
            <div className="form-actions">
              <button type="button" className="button" onClick={() => setStep({ name: 'credentials' })}>
                Back to sign-in
              </button>
            </div>
          </div>
        )}
      </section>
    </div>
  );
}

interface TextFieldProps {
  label: string;
  name: string;
  type: 'text' | 'email' | 'url' | 'password';
  defaultValue?: string;
  placeholder?: string;
  autoComplete: string;
  error: string | undefined;
  inputRef?: Ref<HTMLInputElement>;
}

/** A sign-in text input in the app's labelled FormField. */
function TextField({ label, name, type, defaultValue, placeholder, autoComplete, error, inputRef }: TextFieldProps) {
  return (
    <FormField label={label} error={error}>
      {(control) => (
        <input
          {...control}
          ref={inputRef}
          className="input input-wide"
          name={name}
          type={type}
          defaultValue={defaultValue}
          placeholder={placeholder}
          autoComplete={autoComplete}
          spellCheck={false}
        />
      )}
    </FormField>
  );
}
