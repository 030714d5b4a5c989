/** A bad command line: reported as one line on standard error, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
