// A reporter turns a finished (or interrupted) run into output. Console and
// JSON live beside this file; JUnit, HTML or GitHub annotations would be one
// more file each implementing the same interface.
import type { Report } from '../harness/types.ts';

/** Facts about the run that are not part of the Report itself. */
export interface RunInfo {
  /** Requests sent (SDK attempts and hook calls). */
  requests: number;
  /** Wall time of the whole run, milliseconds. */
  wallMs: number;
  interrupted: boolean;
}

export interface Reporter {
  readonly name: string;
  /** Checked before the run starts (e.g. that an output file can be written), so a run is not wasted. */
  prepare?(): Promise<void>;
  write(report: Report, info: RunInfo): Promise<void>;
}
