// Runs the emulator in a process of its own for the fuzz test, so that a
// crash or a blocked event loop shows as exactly that (an exit, a timeout)
// instead of taking the test runner down with it. Prints {"url"} once
// listening; closes when its standard input ends.
import { startEmulator } from '../../emulator/index.ts';

const emulator = await startEmulator({ port: 0 });
process.stdout.write(`${JSON.stringify({ url: emulator.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void emulator.close().finally(() => process.exit(0));
});
