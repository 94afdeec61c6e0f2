// The contract as data: the shapes of the rule entries (specs/rules.ts) and of
// the operation entries (specs/operations/). Suites are engines over these;
// adding an operation to a category is a new entry, not a new test file.
import type { Arbitrary } from 'fast-check';
import type { Capability, Category, Level, WaitOptions } from './vocabulary.ts';
import type { ProtonOperation } from './commands.ts';
import type { TransitionName } from './transitions.ts';

/** Only operations the SDK has: a misspelled name in the union below does not typecheck. */
type SdkOperation<Name extends ProtonOperation> = Name;

/** The fourteen operations the seed groups by how they ensure idempotency. */
export type OperationName = SdkOperation<
  | 'CreateEnvironmentTemplateVersion'
  | 'CreateServiceTemplateVersion'
  | 'CreateEnvironmentAccountConnection'
  | 'CreateEnvironmentTemplate'
  | 'CreateServiceTemplate'
  | 'CreateEnvironment'
  | 'CreateService'
  | 'DeleteEnvironmentTemplate'
  | 'DeleteEnvironmentTemplateVersion'
  | 'DeleteServiceTemplate'
  | 'DeleteServiceTemplateVersion'
  | 'DeleteEnvironmentAccountConnection'
  | 'DeleteEnvironment'
  | 'DeleteService'
>;

/** Who produces a rule's verdicts: a scenario check, a property check, both, or the harness. */
export type CheckedBy = 'scenario' | 'property' | 'scenario+property' | 'harness';

/** A rule of the contract; `Id` narrows its id to the ids specs/rules.ts holds (RuleId). */
export interface RuleSpec<Id extends string = string> {
  id: Id;
  category: Category;
  level: Level;
  title: string;
  /** The seed sentence(s) the rule comes from, verbatim (seed/idempotency-section-en.txt). */
  cites: readonly string[];
  operations: readonly OperationName[];
  /** Capabilities without which the rule is `skipped`. */
  requires: readonly Capability[];
  /** Capabilities that make the check sharper; without them it may end `inconclusive`. */
  prefers: readonly Capability[];
  checkedBy: CheckedBy;
  /** Why scenario and/or property: what each one covers. */
  how: string;
}

/** An SDK command input or output member, as plain data. */
export type Input = Record<string, unknown>;
/** A resource as a response or Get returns it (timestamps are Dates). */
export type Resource = Record<string, unknown>;
export type Tag = { key: string; value: string };

/**
 * Names and values the prerequisites produced, read by the input builders:
 * template names, version numbers, connection ids. Flat strings so that a
 * fixture can be printed in a reason as it is.
 */
export type Fixture = Readonly<Record<string, string>>;

/** An S3 object that holds a template bundle (TemplateVersionSourceInput's `s3`). */
export interface BundleSource {
  bucket: string;
  key: string;
}

/**
 * The bundles a run creates its template versions from, by template kind: at
 * least two of each (the first is the base input, the second the other valid
 * value of `source`). `uploaded`: real objects the run put in a bucket
 * (`--bundle-bucket`); otherwise placeholders that name no object, which only
 * a target that does not read bundles (the emulator without S3) accepts.
 */
export interface BundleSources {
  environment: readonly BundleSource[];
  service: readonly BundleSource[];
  uploaded: boolean;
}

/** What a spec needs to build its prerequisites: a narrow view of CheckContext. */
export interface SpecEnv {
  /** Sends one operation; resolves with the output members, rejects on an error response. */
  call(operation: ProtonOperation, input: Input): Promise<Input>;
  uniqueName(hint: string): string;
  readonly tags: readonly Tag[];
  waitFor<T>(description: string, probe: () => Promise<T>, done: (value: T) => boolean, options?: WaitOptions): Promise<T>;
  step(description: string): void;
  /** Where template versions get their bundles (placeholders unless the run uploaded real ones). */
  readonly bundles: BundleSources;
}

export type ResourceKind =
  | 'environmentTemplate'
  | 'environmentTemplateVersion'
  | 'serviceTemplate'
  | 'serviceTemplateVersion'
  | 'environment'
  | 'service'
  | 'environmentAccountConnection';

/**
 * How a kind of resource is observed, modified and removed. `ref` is what is
 * known of one resource: a response member, or as much as its create input
 * names (enough for the List scope, e.g. the template of a version).
 */
export interface ResourceSpec {
  kind: ResourceKind;
  /** The response member carrying the resource (`environmentTemplate`). */
  member: string;
  /** Key of this kind in the hooks' `counts` (docs/emulator-hooks.md). */
  countKey: string;
  /** Fields that name the resource (the contract's identity: arn, name, version numbers, id). */
  identity: readonly string[];
  /**
   * The field that says when the resource was created (`createdAt`,
   * `requestedAt`). With `identity` it tells one resource from another: a
   * resource re-created under the same name or numbers is a new one.
   */
  created: string;
  /**
   * Fields of a List item (or a resource) that carry a name the suite gave
   * (the run and cell prefix): its own name, its template's. A listed item is
   * attributed to a cell by these; one that carries none cannot be attributed.
   */
  owner: readonly string[];
  /** Fields that report progress: they may change between two reads of one resource. */
  progress: readonly string[];
  /**
   * When the resource has settled after its create (e.g. status DRAFT): Update
   * and Delete wait for it. `durationHook`: the transition of
   * docs/emulator-hooks.md that ends there (checks lengthen it to see progress).
   */
  ready?: {
    field: string;
    values: readonly string[];
    durationHook?: TransitionName;
    /**
     * Values of `field` that mean it never will settle (a registration or a
     * deployment that failed), and the member that says why.
     */
    failed?: { values: readonly string[]; message: string };
  };
  get: { operation: ProtonOperation; input(ref: Resource): Input };
  list: {
    operation: ProtonOperation;
    /** The input of the first page; the scope the count is taken in. */
    input(ref: Resource): Input;
    /** Output member holding the page's items. */
    items: string;
    /**
     * An input member that narrows the List, and without which a target may
     * answer one item per value of it instead of every item (the API
     * reference's List*TemplateVersions without majorVersion lists the major
     * versions only; the reference emulator lists every version). A scope
     * without it is listed completely by listEvery (specs/lists.ts).
     */
    narrowedBy?: string;
  };
  /** The Update call that modifies the resource, and the field it changes. */
  modify?: ModifySpec;
  /** Other Updates the contract names as modifications (each one on its own). */
  modifyAlso?: readonly ModifySpec[];
  remove: { operation: OperationName; input(ref: Resource): Input };
  /**
   * The kind of resource that lives inside this one (a template's versions)
   * and must be removed before it; `ref`: the List scope of those inside.
   */
  contains?: { kind: ResourceKind; ref(parent: Resource): Resource };
  /** Asynchronous deletion: the status field and its in-progress value. */
  asyncDeletion?: { statusField: string; inProgress: string; durationHook: TransitionName };
}

/** An Update call that modifies a resource, and the field it changes. */
export interface ModifySpec {
  operation: ProtonOperation;
  field: string;
  input(ref: Resource, value: string): Input;
}

/** One parameter of a create that can vary, and how to make another valid value. */
export interface ParameterSpec {
  /** Member name in the input. */
  name: string;
  required: boolean;
  /**
   * Another valid value: the changed request would succeed on its own as a
   * first request. `undefined` means the member is left out.
   */
  alternative(fx: Fixture, base: Input): unknown;
}

export type Needs = 'base' | 'alternatives';

interface OperationSpecBase {
  operation: OperationName;
  category: Category;
  resource: ResourceSpec;
  /** One line: what the entry creates or deletes and what it needs. */
  summary: string;
  /**
   * Prerequisites, built once per check. `base`: what `input` needs;
   * `alternatives`: also what every alternative value and random input needs.
   */
  prepare(env: SpecEnv, needs: Needs): Promise<Fixture>;
}

export interface CreateOperationSpec extends OperationSpecBase {
  kind: 'create';
  /** True for the client-token category: the input carries `clientToken`. */
  token: boolean;
  /** A valid first request; `name` is fresh for the run (ignored where nothing is named). */
  input(fx: Fixture, name: string): Input;
  /** Random valid inputs around `input` (optional members in or out, other valid values). */
  arbitrary(fx: Fixture, name: string): Arbitrary<Input>;
  parameters: readonly ParameterSpec[];
  /** What the input alone says of the resource (the List scope). */
  ref(input: Input): Resource;
}

export interface DeleteOperationSpec extends OperationSpecBase {
  kind: 'delete';
  /** The create that makes what this operation deletes (the pairing). */
  create: { operation: OperationName; input(fx: Fixture, name: string): Input };
  /**
   * The resource, before it exists, named in a valid delete input; for
   * absent-is-empty (a name or id nothing carries).
   */
  absent(fx: Fixture, name: string): Resource;
}

export type OperationSpec = CreateOperationSpec | DeleteOperationSpec;
