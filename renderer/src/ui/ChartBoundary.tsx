import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  failed: boolean;
}

/** A chart that cannot draw must not take the numbers around it down with it. */
export class ChartBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('A chart failed to draw', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.failed) {
      return (
        <p className="state-hint" role="alert">
          This chart could not be drawn. The figures in the tables are unaffected; reload the page to try again.
        </p>
      );
    }
    return this.props.children;
  }
}
