// Waits in tests for a condition that an event sets where no event can be
// awaited (a socket's data, a target's request count): polled every few
// milliseconds, bounded by the test's own timeout.

/** Resolves once `condition()` holds, checked now and every `intervalMs`. */
export async function until(condition: () => boolean, intervalMs = 2): Promise<void> {
  if (condition()) return;
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (!condition()) return;
      clearInterval(poll);
      resolve();
    }, intervalMs);
  });
}
