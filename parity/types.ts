// The parity comparison's data (issue 22): a corpus of request sequences,
// what each target answered, and the differences between two answers.
// parity/ sits on top (like mutation/): it may use harness/, specs/ and the
// embedded emulator; nothing below imports it.

/** One request of a sequence, sent to both targets in the same order. */
export interface ParityStep {
  operation: string;
  /** The request's input, as the SDK would send it (names are the corpus's own, deterministic from the seed). */
  input: Record<string, unknown>;
  /** Before this step, wait until both targets have settled their asynchronous steps (hooks: move both clocks; else poll). */
  settle?: boolean;
  /** Why this step is in the sequence: 'valid', 'invalid: name too long', 'missing resource', 'conflict', 'paging', ... */
  intent: string;
  /**
   * Input members whose value the target chose in an earlier answer of the same sequence (a connection's id, an ARN, a
   * nextToken): member -> the index of that step in `steps` (cleanup steps name `steps` too) and a dotted path into its
   * answer's body (`environmentAccountConnection.id`, `nextToken`). The runner sets each from that target's own answer
   * before sending; when the answer lacks it (the step failed), the member is left out.
   */
  from?: Record<string, { step: number; path: string }>;
  /**
   * 'management': send this step as the management account the corpus's connection requests name
   * (specs/values.ts MANAGEMENT_ACCOUNTS[0], 210987654321), not as the caller (the environment account): accepting
   * or rejecting a connection, and what that account then builds on it. The emulator in open mode takes the access
   * key id 210987654321 as that account; a runner with no way to act as it skips the whole sequence and says so.
   */
  account?: 'management';
}

export interface ParitySequence {
  /** Stable id, e.g. 'environment-template/create-invalid-name-length'. */
  id: string;
  /** The operations it exercises (each operation the reference implements appears in at least one sequence). */
  operations: string[];
  steps: ParityStep[];
  /** Steps that remove what the sequence made (deletes in dependency order): sent after `steps`, their answers not compared. */
  cleanup: ParityStep[];
}

/** One answer, as the comparison sees it: HTTP status, error type (absent on success), the body. */
export interface ParityAnswer {
  status: number;
  errorType?: string;
  body: unknown;
}

/** One difference between the reference's and the candidate's normalised answers. */
export interface ParityDifference {
  operation: string;
  /** JSON path into the answer: '$.status' (HTTP status), '$.errorType', '$.body.environment.status', ... */
  path: string;
  reference: unknown;
  candidate: unknown;
  /** The sequence (id) and the step (index) that produced it. */
  sequence: string;
  step: number;
}
