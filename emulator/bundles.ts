// Template bundles read from S3, when the emulator is given an S3 endpoint
// (startEmulator({ s3 }), `--s3-endpoint URL`): CreateEnvironmentTemplateVersion
// and CreateServiceTemplateVersion start fetching the version's `source.s3`
// object, read it as a gzipped tar and check it as Proton's user guide says a
// bundle must be ("Wrap up template files", "Schema file"). The version's
// record holds the check's outcome; templates.ts turns it into a status
// (DRAFT or REGISTRATION_FAILED with a statusMessage) once the registration's
// duration has also passed on the account's clock.
//
// Everything happens in memory and is bounded (the object's size, the
// unpacked size, the number of entries, a timeout); a bad archive or an
// unreachable S3 becomes a failed registration, never an exception that
// reaches the server. Without an S3 endpoint nothing here runs: registration
// always succeeds, as before.
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Parser, type ReadEntry } from 'tar';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import type { World } from './accounts.ts';

/** Where bundles are fetched from (EmulatorOptions.s3). */
export interface S3Options {
  /** The S3 (or S3-compatible) endpoint, e.g. http://127.0.0.1:4568. */
  endpoint: string;
  /** Default us-east-1. */
  region?: string;
  /** Default: the emulator process's standard chain (environment variables, shared files, ...). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Path-style addressing (endpoint/bucket/key). Default true: S3-compatible servers on loopback seldom resolve bucket subdomains. */
  forcePathStyle?: boolean;
}

export interface BundleLimits {
  /** The object's size (the gzipped archive). */
  maxArchiveBytes: number;
  /** Every file of the archive, unpacked. */
  maxUnpackedBytes: number;
  /** Entries (files, folders, links) in the archive. */
  maxEntries: number;
  /** From the request to S3 to the last byte of the object. */
  timeoutMs: number;
}

/**
 * Proton's quotas page refers to bundle size limits without giving numbers in
 * any copy found here; these are the emulator's own, generous for a bundle of
 * a few YAML files (the suite's are about 1.5 KB).
 */
export const BUNDLE_LIMITS: Readonly<BundleLimits> = Object.freeze({
  maxArchiveBytes: 5 * 1024 * 1024,
  maxUnpackedBytes: 20 * 1024 * 1024,
  maxEntries: 1000,
  timeoutMs: 30_000,
});

/** The model's longest TemplateSchema (a version's `schema` member). */
export const MAX_SCHEMA_CHARS = 51_200;

export type BundleKind = 'environment' | 'service';

export interface BundleRequest {
  kind: BundleKind;
  bucket: string;
  key: string;
  /**
   * An environment template with `provisioning: CUSTOMER_MANAGED`: its bundle
   * has a schema only (Proton's docs), so `infrastructure/` is not required.
   */
  customerManaged?: boolean;
}

/** A registration's check: running, then registered (with the bundle's schema) or failed (with why). */
export interface BundleRegistration {
  readonly source: string;
  state: 'checking' | 'registered' | 'failed';
  /** REGISTRATION_FAILED's statusMessage. */
  problem?: string;
  /** The bundle's schema/schema.yaml, as Proton returns it in the version's `schema`. */
  schema?: string;
  /** The account's virtual time when the check finished. */
  finishedAt?: number;
}

/** A problem of the bundle (or of fetching it): the registration fails with this message. */
export class BundleProblem extends Error {
  override readonly name = 'BundleProblem';
}

const s3Url = (bucket: string, key: string) => `s3://${bucket}/${key}`;

/** Fetches and checks bundles for one emulator; counts fetches; close() stops the ones in flight. */
export class BundleRegistrar {
  private readonly client: S3Client;
  private readonly inFlight = new Map<AbortController, Promise<void>>();
  private closed = false;
  /** GetObject requests started (an idempotent replay of a create starts none). */
  fetches = 0;

  constructor(
    readonly options: S3Options,
    private readonly limits: BundleLimits = BUNDLE_LIMITS,
  ) {
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? true,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      // S3-compatible servers seldom know the flexible checksums the SDK
      // sends and checks by default; S3 itself does not need them for a GET.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /**
   * Starts fetching and checking a bundle; the returned record is updated
   * when that is done. `now` reads the account's virtual clock.
   */
  register(request: BundleRequest, now: () => number): BundleRegistration {
    const registration: BundleRegistration = { source: s3Url(request.bucket, request.key), state: 'checking' };
    const finish = (problem: string | undefined, schema?: string) => {
      registration.finishedAt = now();
      if (problem === undefined) {
        registration.state = 'registered';
        registration.schema = schema;
      } else {
        registration.state = 'failed';
        registration.problem = problem;
      }
    };
    if (this.closed) {
      finish('the emulator is closing');
      return registration;
    }
    const controller = new AbortController();
    this.fetches += 1;
    const work = this.fetchAndCheck(request, controller.signal)
      .then(
        (schema) => finish(undefined, schema),
        (error: unknown) => finish(error instanceof BundleProblem ? error.message : `${registration.source}: ${describe(error)}`),
      )
      .finally(() => this.inFlight.delete(controller));
    this.inFlight.set(controller, work);
    return registration;
  }

  private async fetchAndCheck(request: BundleRequest, signal: AbortSignal): Promise<string> {
    const bytes = await this.fetch(request.bucket, request.key, signal);
    const files = await unpackBundle(bytes, this.limits);
    return checkBundle(request.kind, files, { customerManaged: request.customerManaged ?? false });
  }

  /** The object's bytes, at most maxArchiveBytes, within timeoutMs. */
  private async fetch(bucket: string, key: string, signal: AbortSignal): Promise<Uint8Array> {
    const where = s3Url(bucket, key);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.limits.timeoutMs);
    const abort = AbortSignal.any([signal, timeout.signal]);
    try {
      let response;
      try {
        response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: abort });
      } catch (error) {
        if (timeout.signal.aborted) throw new BundleProblem(`${where}: S3 did not answer within ${this.limits.timeoutMs / 1000} s`);
        if (signal.aborted) throw new BundleProblem(`${where}: the emulator closed before the bundle was read`);
        throw new BundleProblem(`${where}: ${describe(error)}`);
      }
      const max = this.limits.maxArchiveBytes;
      const tooLarge = (size: number | string) =>
        new BundleProblem(`${where}: the bundle is ${size} bytes, over the ${max} bytes the emulator reads`);
      if (response.ContentLength !== undefined && response.ContentLength > max) {
        destroyBody(response.Body);
        throw tooLarge(response.ContentLength);
      }
      const body = response.Body as AsyncIterable<Uint8Array> | undefined;
      if (body === undefined) return new Uint8Array();
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of body) {
          size += chunk.byteLength;
          if (size > max) {
            destroyBody(body);
            throw tooLarge(`more than ${max}`);
          }
          chunks.push(Buffer.from(chunk));
          if (abort.aborted) break;
        }
      } catch (error) {
        if (error instanceof BundleProblem) throw error;
        if (timeout.signal.aborted) throw new BundleProblem(`${where}: the bundle did not arrive within ${this.limits.timeoutMs / 1000} s`);
        throw new BundleProblem(`${where}: the download broke off: ${describe(error)}`);
      }
      if (timeout.signal.aborted) throw new BundleProblem(`${where}: the bundle did not arrive within ${this.limits.timeoutMs / 1000} s`);
      if (signal.aborted) throw new BundleProblem(`${where}: the emulator closed before the bundle was read`);
      return Buffer.concat(chunks);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Aborts the fetches in flight (their registrations fail) and releases the client. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.inFlight];
    for (const [controller] of pending) controller.abort();
    await Promise.allSettled(pending.map(([, work]) => work));
    this.client.destroy();
  }
}

function destroyBody(body: unknown): void {
  const stream = body as { destroy?: () => void } | undefined;
  stream?.destroy?.();
}

/** An error of the SDK or the network in a few words, without anything secret (no request, no credentials). */
function describe(error: unknown): string {
  if (error instanceof S3ServiceException) {
    // The SDK names S3's error code (NoSuchKey, NoSuchBucket, AccessDenied, ...).
    return error.name === 'Unknown' || error.name === 'UnknownError' ? `HTTP ${error.$metadata.httpStatusCode ?? '?'}` : error.name;
  }
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error';
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0] : '';
  return message === '' || message === code ? code : `${code}: ${message}`;
}

/** Regular files of a tar entry's types. */
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/**
 * The archive's regular files by path (relative, `/`-separated, without a
 * leading `./`). Gzipped or not (tar tells them apart). Bounded by the limits;
 * anything unreadable is a BundleProblem.
 */
export function unpackBundle(bytes: Uint8Array, limits: BundleLimits = BUNDLE_LIMITS): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    let entries = 0;
    let unpacked = 0;
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      reject(new BundleProblem(message));
    };
    const parser = new Parser({ strict: true });
    parser.on('entry', (entry: ReadEntry) => {
      entries += 1;
      if (entries > limits.maxEntries) {
        fail(`the bundle has more than ${limits.maxEntries} entries`);
        entry.resume();
        return;
      }
      const path = normalizedPath(entry.path);
      if (path === undefined) {
        fail(`the bundle has an entry outside its root: ${entry.path}`);
        entry.resume();
        return;
      }
      if (!FILE_TYPES.has(entry.type)) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => {
        unpacked += chunk.length;
        if (unpacked > limits.maxUnpackedBytes) fail(`the bundle unpacks to more than ${limits.maxUnpackedBytes} bytes`);
        else if (!settled) chunks.push(chunk);
      });
      entry.on('end', () => {
        if (!settled) files.set(path, Buffer.concat(chunks));
      });
    });
    const unreadable = (error: { message?: string } | undefined) =>
      fail(`the bundle is not a readable gzipped tar archive (${(error?.message ?? 'unreadable').split('\n')[0]})`);
    parser.on('error', unreadable);
    parser.on('abort', unreadable);
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve(files);
    });
    try {
      parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      unreadable(error as Error);
    }
  });
}

/** `./a/b` -> `a/b`; undefined for absolute paths and paths that climb out (`..`). */
function normalizedPath(raw: string): string | undefined {
  const parts = raw
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.');
  if (raw.startsWith('/') || parts.includes('..')) return undefined;
  return parts.join('/');
}

const SCHEMA_FILE = 'schema/schema.yaml';

/** The folders of a bundle's infrastructure, by kind (Proton's user guide, "Wrap up template files"). */
const INFRASTRUCTURE: Record<BundleKind, { required: string[]; optional: string[] }> = {
  environment: { required: ['infrastructure'], optional: [] },
  service: { required: ['instance_infrastructure'], optional: ['pipeline_infrastructure'] },
};

const INPUT_TYPE: Record<BundleKind, string> = {
  environment: 'environment_input_type',
  service: 'service_input_type',
};

/**
 * Files relative to the bundle's root. The user guide shows the bundle's
 * folders at the root of the archive; AWS's own samples pack them under one
 * folder (`tar -zcvf env-template.tar.gz environment/`), which Proton reads
 * too: when there is no schema at the root and every file lies under one
 * folder that has it, that folder is the root.
 */
export function bundleRoot(files: ReadonlyMap<string, Buffer>): Map<string, Buffer> {
  if (files.has(SCHEMA_FILE)) return new Map(files);
  const tops = new Set([...files.keys()].map((path) => path.split('/')[0]));
  const [top] = tops;
  if (tops.size !== 1 || top === undefined || !files.has(`${top}/${SCHEMA_FILE}`)) return new Map(files);
  const prefix = `${top}/`;
  return new Map([...files].filter(([path]) => path.startsWith(prefix)).map(([path, data]) => [path.slice(prefix.length), data]));
}

/** A YAML file's first error, where it is ("... at line 11, column 1"), or undefined when it parses. */
function yamlProblem(document: Document): string | undefined {
  const error = document.errors[0];
  if (error === undefined) return undefined;
  const message = error.message.split('\n')[0]!.replace(/:\s*$/, '');
  const at = error.linePos?.[0];
  return at === undefined || / at line \d+/.test(message) ? message : `${message} at line ${at.line}, column ${at.col}`;
}

/** A mapping's member, as plain JS, or undefined. */
function member(node: unknown, key: string): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  return (node as Record<string, unknown>)[key];
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Checks a bundle's files as Proton does when it registers a version; returns
 * the schema's text, or throws a BundleProblem naming the first problem:
 * - `schema/schema.yaml` is there, is YAML, and has `schema.format.openapi`,
 *   the kind's input type (`environment_input_type` or `service_input_type`)
 *   naming a type of `schema.types` (and `pipeline_input_type`, when a
 *   service declares one), and is at most 51,200 characters (the model's
 *   TemplateSchema);
 * - each infrastructure folder (`infrastructure/` for an environment, unless
 *   its template is customer managed; `instance_infrastructure/` and, when
 *   present, `pipeline_infrastructure/` for a service) has a `manifest.yaml`
 *   that is YAML, lists `infrastructure.templates`, and every `file` it names
 *   is in that folder (`*`: at least one `.tf` file; a CodeBuild template
 *   names none).
 */
export function checkBundle(kind: BundleKind, archive: ReadonlyMap<string, Buffer>, options: { customerManaged?: boolean } = {}): string {
  const files = bundleRoot(archive);
  const schemaBytes = files.get(SCHEMA_FILE);
  if (schemaBytes === undefined) throw new BundleProblem(`${SCHEMA_FILE} is not in the bundle`);
  const schemaText = schemaBytes.toString('utf8');
  const schemaDoc = parseDocument(schemaText);
  const schemaError = yamlProblem(schemaDoc);
  if (schemaError !== undefined) throw new BundleProblem(`${SCHEMA_FILE} does not parse: ${schemaError}`);
  if (schemaText.length > MAX_SCHEMA_CHARS) {
    throw new BundleProblem(`${SCHEMA_FILE} has ${schemaText.length} characters, over the ${MAX_SCHEMA_CHARS} a template schema may have`);
  }
  const schema = member(schemaDoc.toJS(), 'schema');
  if (!isRecord(schema)) throw new BundleProblem(`${SCHEMA_FILE} has no top-level schema: mapping`);
  const openapi = member(member(schema, 'format'), 'openapi');
  if (typeof openapi !== 'string' || openapi === '') {
    throw new BundleProblem(`${SCHEMA_FILE} has no schema.format.openapi (the OpenAPI version, e.g. "3.0.0")`);
  }
  const types = member(schema, 'types');
  const inputTypes = [
    INPUT_TYPE[kind],
    ...(kind === 'service' && schema['pipeline_input_type'] !== undefined ? ['pipeline_input_type'] : []),
  ];
  for (const name of inputTypes) {
    const declared = schema[name];
    if (typeof declared !== 'string' || declared === '') throw new BundleProblem(`${SCHEMA_FILE} declares no ${name}`);
    if (!isRecord(types) || !isRecord(types[declared])) {
      throw new BundleProblem(`${SCHEMA_FILE}: ${name} names ${declared}, which is not in schema.types`);
    }
  }

  // A customer managed environment's bundle may be a schema alone; any
  // infrastructure it does carry is checked all the same.
  const customerManaged = kind === 'environment' && options.customerManaged === true;
  const present = (folder: string) => [...files.keys()].some((path) => path.startsWith(`${folder}/`));
  const folders = [
    ...INFRASTRUCTURE[kind].required.filter((folder) => !customerManaged || present(folder)),
    ...INFRASTRUCTURE[kind].optional.filter(present),
  ];
  for (const folder of folders) checkManifest(folder, files);
  return schemaText;
}

function checkManifest(folder: string, files: ReadonlyMap<string, Buffer>): void {
  const path = `${folder}/manifest.yaml`;
  const bytes = files.get(path);
  if (bytes === undefined) throw new BundleProblem(`${path} is not in the bundle`);
  const document = parseDocument(bytes.toString('utf8'));
  const problem = yamlProblem(document);
  if (problem !== undefined) throw new BundleProblem(`${path} does not parse: ${problem}`);
  const infrastructure = document.get('infrastructure');
  const templates = isMap(infrastructure) ? infrastructure.get('templates') : undefined;
  if (!isSeq(templates) || templates.items.length === 0) throw new BundleProblem(`${path} lists no infrastructure.templates`);
  for (const item of templates.toJSON() as unknown[]) {
    const file = member(item, 'file');
    if (file === undefined && member(item, 'rendering_engine') === 'codebuild') continue; // CodeBuild runs commands, names no file
    if (typeof file !== 'string' || file === '') throw new BundleProblem(`${path} has a template that names no file`);
    if (file === '*') {
      const tf = [...files.keys()].some(
        (name) => name.startsWith(`${folder}/`) && name.endsWith('.tf') && !name.slice(folder.length + 1).includes('/'),
      );
      if (!tf) throw new BundleProblem(`${path} names * (every .tf file), but ${folder}/ has no .tf file`);
      continue;
    }
    const target = normalizedPath(`${folder}/${file}`);
    if (target === undefined || !target.startsWith(`${folder}/`) || !files.has(target)) {
      throw new BundleProblem(`${path} names ${file}, which is not in the bundle`);
    }
  }
}

/** The registrar of each running emulator's world (the handlers find it through their context's world). */
const REGISTRARS = new WeakMap<World, BundleRegistrar>();

export function attachRegistrar(world: World, registrar: BundleRegistrar): void {
  REGISTRARS.set(world, registrar);
}

/** The world's registrar; undefined without an S3 endpoint (registration always succeeds). */
export function registrarOf(world: World): BundleRegistrar | undefined {
  return REGISTRARS.get(world);
}

/** What is wrong with S3 options, in one sentence, or undefined. */
export function s3OptionsProblem(options: S3Options): string | undefined {
  if (typeof options !== 'object' || options === null) return 's3 must be an object with an endpoint';
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch {
    return `s3.endpoint must be an http or https URL, not "${String(options.endpoint)}"`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `s3.endpoint must be an http or https URL, not "${options.endpoint}"`;
  const credentials = options.credentials;
  if (credentials !== undefined && (typeof credentials.accessKeyId !== 'string' || typeof credentials.secretAccessKey !== 'string')) {
    return 's3.credentials needs accessKeyId and secretAccessKey (strings)';
  }
  return undefined;
}
