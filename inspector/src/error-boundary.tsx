import { Component, type ComponentChildren } from 'preact';

interface State {
  error: Error | null;
}

/**
 * A failure while drawing the page shows what went wrong and a way back, instead of a blank page
 * (Preact unmounts the whole tree on an uncaught render error).
 */
export class ErrorBoundary extends Component<{ children: ComponentChildren }, State> {
  override state: State = { error: null };

  static override getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown): void {
    // Kept in the console for whoever reports it: the page shows the message only.
    console.error(error);
  }

  render() {
    const { error } = this.state;
    if (error === null) return this.props.children;
    return (
      <section class="panel" role="alert" aria-labelledby="crash-title">
        <h2 id="crash-title">The page hit an error</h2>
        <p>
          <code>{error.message}</code>
        </p>
        <p>The mock itself is unaffected. Try again, or reload the page.</p>
        <button onClick={() => this.setState({ error: null })}>Try again</button>
      </section>
    );
  }
}
