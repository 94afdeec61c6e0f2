// The rule shape/responses-match-model, fed by every response the recording
// clients see: each is validated against the model (specs/model.ts) as it
// arrives; the ledger keeps, per operation, how many were checked and the
// first offending exchanges as evidence. One result per operation exercised.
import { answerErrorType } from './weather.ts';
import type { Exchange, RuleResult } from '../types.ts';
import type { ExchangeSink, RawExchange } from './recorder.ts';
import { parseBody, toExchange } from './recorder.ts';

export const SHAPE_RULE = 'shape/responses-match-model';

export interface ModelViolation {
  path: string;
  constraint: string;
  message: string;
}

/** The part of specs/model.ts the ledger uses (injectable for tests). */
export interface ShapeModel {
  validateOutput(operation: string, value: unknown): ModelViolation[];
  validateError(errorType: string, httpStatus: number, body: unknown): ModelViolation[];
  operationErrors?(operation: string): readonly string[];
}

interface OperationLedger {
  checked: number;
  offending: number;
  firstViolations: string[];
  evidence: Exchange[];
}

const EVIDENCE_PER_OPERATION = 5;

export class ShapeLedger implements ExchangeSink {
  private readonly operations = new Map<string, OperationLedger>();

  constructor(private readonly model: ShapeModel) {}

  record(exchange: RawExchange): void {
    // No answer at all (a network error): nothing to validate. A response the
    // harness hid from the client (`lost`) is still the target's answer.
    if (!exchange.response) return;
    // A 5xx that names no error type is the weather in front of the target (a
    // load balancer's or proxy's page), not an answer of the API: not judged.
    const { status, headers, body } = exchange.response;
    if (status >= 500 && answerErrorType(headers, body) === undefined) return;
    const violations = this.validate(exchange.operation, exchange.response);
    const ledger = this.ledgerOf(exchange.operation);
    ledger.checked++;
    if (violations.length === 0) return;
    ledger.offending++;
    if (ledger.evidence.length < EVIDENCE_PER_OPERATION) {
      ledger.evidence.push(toExchange(exchange));
      ledger.firstViolations.push(...violations.map((v) => (v.path ? `${v.path}: ${v.message}` : v.message)));
    }
  }

  /** Violations of one response (success: output shape; error: type, status, body). */
  validate(operation: string, response: { status: number; headers: Record<string, string>; body: string }): ModelViolation[] {
    const body = response.body === '' ? {} : parseBody(response.body);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return [{ path: '', constraint: 'type', message: `the ${response.status} response body is not a JSON object` }];
    }
    try {
      if (response.status >= 200 && response.status < 300) return this.model.validateOutput(operation, body);
      const errorType = errorTypeOf(response.headers, body as Record<string, unknown>);
      if (errorType === undefined) {
        return [
          {
            path: '',
            constraint: 'error-type',
            message: `the ${response.status} error response names no error type (x-amzn-errortype or __type)`,
          },
        ];
      }
      const violations = this.model.validateError(errorType, response.status, body);
      const declared = this.model.operationErrors?.(operation);
      const name = bareErrorName(errorType);
      if (violations.length === 0 && declared && !declared.includes(name)) {
        violations.push({ path: '', constraint: 'error-type', message: `${name} is not an error of ${operation} in the model` });
      }
      return violations;
    } catch (error) {
      return [{ path: '', constraint: 'model', message: error instanceof Error ? error.message : String(error) }];
    }
  }

  operationsSeen(): string[] {
    return [...this.operations.keys()].sort();
  }

  results(): RuleResult[] {
    return this.operationsSeen().map((operation) => {
      const ledger = this.operations.get(operation)!;
      const pass = ledger.offending === 0;
      const shown = [...new Set(ledger.firstViolations)].slice(0, 3).join('; ');
      return {
        rule: SHAPE_RULE,
        category: 'shape',
        level: 'MUST',
        operation,
        verdict: pass ? 'pass' : 'fail',
        reason: pass
          ? `all ${ledger.checked} responses match the model`
          : `${ledger.offending} of ${ledger.checked} responses do not match the model: ${shown}`,
        evidence: ledger.evidence,
      };
    });
  }

  private ledgerOf(operation: string): OperationLedger {
    let ledger = this.operations.get(operation);
    if (!ledger) {
      ledger = { checked: 0, offending: 0, firstViolations: [], evidence: [] };
      this.operations.set(operation, ledger);
    }
    return ledger;
  }
}

/** As the SDK reads it: the x-amzn-errortype header, else the body's __type or code. */
export function errorTypeOf(headers: Record<string, string>, body: Record<string, unknown>): string | undefined {
  const header = headers['x-amzn-errortype'];
  if (header) return header.split(':')[0];
  for (const key of ['__type', 'code'] as const) {
    const value = body[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

function bareErrorName(errorType: string): string {
  const afterHash = errorType.slice(errorType.lastIndexOf('#') + 1);
  return afterHash.split(':')[0] ?? afterHash;
}
