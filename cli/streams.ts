// The console may go away mid-run (`| head -1`, a closed terminal): the run
// then stops writing there, finishes, writes its report and exits with its
// own code. An EPIPE is never a crash and never a stack trace.

const closed = new WeakSet<NodeJS.WritableStream>();

/** True once `stream` has failed a write (EPIPE and its kin): nothing more is sent there. */
export function isClosed(stream: NodeJS.WritableStream): boolean {
  return closed.has(stream);
}

/** Marks stdout and stderr closed on their first write error instead of crashing (idempotent). */
export function guardConsole(streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if ((stream as { __pcGuarded?: boolean }).__pcGuarded) continue;
    (stream as { __pcGuarded?: boolean }).__pcGuarded = true;
    stream.on('error', () => closed.add(stream));
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    (stream as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]): boolean => {
      if (closed.has(stream)) {
        const callback = rest.find((r): r is () => void => typeof r === 'function');
        if (callback) queueMicrotask(callback);
        return false;
      }
      return write(chunk, ...rest);
    };
  }
}
