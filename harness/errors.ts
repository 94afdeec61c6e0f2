// Errors that end a run before any cell runs. Each maps to one exit code of
// the CLI and carries a one-line message meant for a person, never a stack.

/** Bad flag, bad value, unknown rule or operation, missing configuration: exit 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Nothing answers at the target (refused, DNS, timeout, TLS): exit 3. */
export class UnreachableError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** A short, single-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const name = error.name && error.name !== 'Error' ? error.name : typeof code === 'string' ? code : 'Error';
    const message = error.message.split('\n')[0] ?? '';
    return message ? `${name}: ${message}` : name;
  }
  return `thrown value ${oneLine(String(error))}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 300);
}
