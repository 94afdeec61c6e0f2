// A real S3-compatible server in-process, for tests that upload template
// bundles and let the emulator fetch them: s3rver (a pure-JavaScript npm package
// that answers S3's REST API from files on disk; it checks a signature's
// key id, not the SigV4 signature itself), on a free loopback port, storing
// into a temporary directory removed at close().
//
//   const s3 = await startS3Server({ buckets: ['bundles'] });
//   await s3.client().send(new PutObjectCommand({ Bucket: 'bundles', Key: 'k', Body: bytes }));
//   startEmulator({ s3: { endpoint: s3.endpoint, credentials: s3.credentials } });
//   s3.requests   // every request it received, in order
//   await s3.close();
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's built-in key pair: the only credentials it accepts (others: InvalidAccessKeyId). */
export const S3RVER_CREDENTIALS = Object.freeze({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });

export interface S3Request {
  method: string;
  /** The bucket of a path-style request ('' for the service itself). */
  bucket: string;
  /** The object key, decoded ('' for bucket-level requests). */
  key: string;
  /** The raw path and query. */
  url: string;
}

export interface S3Server {
  /** http://127.0.0.1:PORT (use path-style addressing: forcePathStyle). */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every request received so far, in arrival order. */
  readonly requests: readonly S3Request[];
  /** The GetObject requests for this bucket and key. */
  gets(bucket: string, key: string): number;
  /** A client for it: path-style, its credentials, checksums only when an operation requires them. */
  client(): S3Client;
  createBucket(name: string): Promise<void>;
  /** Stops the server (open connections too) and removes its directory. */
  close(): Promise<void>;
}

function parseRequest(req: IncomingMessage): S3Request {
  const url = req.url ?? '/';
  const path = url.split('?')[0] ?? '/';
  const [, bucket = '', ...rest] = path.split('/');
  return { method: req.method ?? 'GET', bucket: decodeURIComponent(bucket), key: decodeURIComponent(rest.join('/')), url };
}

/** Starts s3rver on 127.0.0.1 and a free port, with these buckets (names of 3 to 63 characters) already there. */
export async function startS3Server(options: { buckets?: readonly string[] } = {}): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'pc-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  let address;
  try {
    address = await server.run();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const requests: S3Request[] = [];
  server.httpServer?.on('request', (req: IncomingMessage) => requests.push(parseRequest(req)));
  const endpoint = `http://127.0.0.1:${address.port}`;
  const region = 'us-east-1';
  const clients: S3Client[] = [];
  const client = () => {
    const made = new S3Client({
      endpoint,
      region,
      credentials: { ...S3RVER_CREDENTIALS },
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    clients.push(made);
    return made;
  };
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    region,
    credentials: { ...S3RVER_CREDENTIALS },
    requests,
    gets: (bucket, key) => requests.filter((r) => r.method === 'GET' && r.bucket === bucket && r.key === key).length,
    client,
    async createBucket(name) {
      const admin = client();
      await admin.send(new CreateBucketCommand({ Bucket: name }));
    },
    close() {
      closed ??= (async () => {
        for (const made of clients) made.destroy();
        const stopping = server.close();
        server.httpServer?.closeAllConnections();
        await stopping;
        await rm(directory, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
