// Request log lines, batched: written once per turn of the event loop rather
// than once per request (stdout writes are synchronous on Linux).

export function batchedWriter(write: (text: string) => void): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    const text = `${pending.join('\n')}\n`;
    pending = [];
    write(text);
  };
  return (line) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(line);
  };
}
