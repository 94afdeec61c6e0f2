// Types for s3rver 3.x (it ships none): the parts test/support/s3-server.ts uses.
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';
  import type { Server } from 'node:http';

  interface S3rverOptions {
    /** Default 'localhost'. */
    address?: string;
    /** Default 4568; 0 picks a free port. */
    port?: number;
    /** Suppresses its request log. */
    silent?: boolean;
    /** Where buckets and objects are stored (files). */
    directory?: string;
    resetOnClose?: boolean;
    /** Accept requests whose SigV4 signature does not match (default false: refused). */
    allowMismatchedSignatures?: boolean;
    /** Serve virtual-host buckets (bucket.host); path-style works either way. */
    vhostBuckets?: boolean;
    serviceEndpoint?: string;
    /** Buckets created at run(). */
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  class S3rver {
    constructor(options?: S3rverOptions);
    /** Creates the configured buckets and listens; resolves with the address. */
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
    /** The listening server, once run() resolved. */
    httpServer?: Server;
  }

  export = S3rver;
}
