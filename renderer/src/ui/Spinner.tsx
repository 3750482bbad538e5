/** A small spinner for buttons; the button's own text says what is happening. */
export function Spinner() {
  return <span className="spinner spinner-small" aria-hidden="true" />;
}
