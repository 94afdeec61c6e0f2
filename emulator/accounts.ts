// The emulator's state: one AccountState per account (resources, client
// tokens, remembered deletions, clock, durations), and the environment account
// connections, which span two accounts and live in one table seen by both.
import { VirtualClock } from './clock.ts';
import type { Durations } from './durations.ts';
import type { Output, Policy, TokenRecord } from './policy.ts';
import type { TemplateRecord } from './resources/templates.ts';
import type { EnvironmentRecord } from './resources/environments.ts';
import type { ServiceRecord } from './resources/services.ts';
import type { ConnectionRecord } from './resources/connections.ts';

/** A deletion whose answer a delete retry still returns, until `forgetAt`. */
export interface Remembered {
  answer: Output;
  forgetAt: number;
}

export class AccountState {
  readonly clock = new VirtualClock();
  readonly durations: Durations;
  readonly environmentTemplates = new Map<string, TemplateRecord>();
  readonly serviceTemplates = new Map<string, TemplateRecord>();
  readonly environments = new Map<string, EnvironmentRecord>();
  readonly services = new Map<string, ServiceRecord>();
  /** Client tokens, by operation and token (see idempotency.ts). */
  readonly tokens = new Map<string, TokenRecord>();
  /** Deletions remembered for delete retries, by resource identity. */
  readonly deleted = new Map<string, Remembered>();

  constructor(
    readonly id: string,
    durations: Durations,
  ) {
    this.durations = { ...durations };
  }

  remember(identity: string, answer: Output, now: number): void {
    this.deleted.set(identity, { answer, forgetAt: now + this.durations.deletedMetadataRetention });
  }

  recall(identity: string, now: number): Output | undefined {
    const remembered = this.deleted.get(identity);
    if (remembered === undefined) return undefined;
    if (now >= remembered.forgetAt) {
      this.deleted.delete(identity);
      return undefined;
    }
    return remembered.answer;
  }
}

export class World {
  private readonly accounts = new Map<string, AccountState>();
  /** Virtual time every account has been moved by from outside (advanceClocks): a fresh account starts there too. */
  private clockOffsetMs = 0;
  /** Environment account connections, by id, seen by both of their accounts. */
  readonly connections = new Map<string, ConnectionRecord>();

  constructor(
    /** Durations a fresh account starts with. */
    readonly durations: Durations,
    readonly policy: Policy,
    /**
     * The one account every request lands in, whatever key id signs it, when
     * the target does not offer the `accounts` capability (as a service with
     * one account would); undefined: one account per key id.
     */
    readonly singleAccount?: string,
  ) {}

  /** The account a request of this (key-id-derived) account id lands in. */
  accountIdOf(id: string): string {
    return this.singleAccount ?? id;
  }

  account(requested: string): AccountState {
    const id = this.accountIdOf(requested);
    let account = this.accounts.get(id);
    if (account === undefined) {
      account = new AccountState(id, this.durations);
      if (this.clockOffsetMs > 0) account.clock.advance(this.clockOffsetMs);
      this.accounts.set(id, account);
    }
    return account;
  }

  /** Every account's clock moved on by `ms` (the in-process RunningEmulator.advanceClock: no hook needed). */
  advanceClocks(ms: number): void {
    this.clockOffsetMs += ms;
    for (const account of this.accounts.values()) account.clock.advance(ms);
  }

  /** The accounts that exist so far. */
  allAccounts(): AccountState[] {
    return [...this.accounts.values()];
  }

  /** Back to a fresh start: the account's state, and the connections it requested. */
  reset(requested: string): void {
    const id = this.accountIdOf(requested);
    this.accounts.delete(id);
    for (const [connectionId, connection] of this.connections) {
      if (connection.environmentAccountId === id) this.connections.delete(connectionId);
    }
  }
}
