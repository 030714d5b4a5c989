import { config } from 'rxjs';

/**
 * Catches whatever would escape the pipeline: exceptions thrown to the top of
 * the process, promise rejections nobody handles, and errors RxJS reports as
 * unhandled (an error notification with no error handler, or a subscriber's
 * callback that threw). Errors RxJS reports are delivered on a timer, so call
 * `settle()` before reading `escaped`.
 */
export class EscapeTrap {
  readonly escaped: unknown[] = [];
  private readonly previousRx = config.onUnhandledError;
  private readonly onError = (error: unknown): void => {
    this.escaped.push(error);
  };

  constructor() {
    process.on('uncaughtException', this.onError);
    process.on('unhandledRejection', this.onError);
    config.onUnhandledError = this.onError;
  }

  /** Lets queued error reports (RxJS timers, promise jobs) run. */
  async settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Counts an exception caught around an input (for example from a virtual clock's flush). */
  record(error: unknown): void {
    this.escaped.push(error);
  }

  dispose(): void {
    process.off('uncaughtException', this.onError);
    process.off('unhandledRejection', this.onError);
    config.onUnhandledError = this.previousRx;
  }
}
