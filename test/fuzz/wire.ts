// Raw HTTP to the emulator for the fuzz test: one undici client, no SDK in
// between, so that malformed requests go out exactly as generated and the
// many snapshot reads stay cheap.
import { Pool } from 'undici';
import type { Answer } from './oracle.ts';
import { JSON_CONTENT_TYPE, TARGET_PREFIX } from './requests.ts';
import type { FuzzRequest } from './requests.ts';

export class Wire {
  /** Also what the harness's hooks client sends through. */
  readonly pool: Pool;

  constructor(readonly endpoint: string) {
    // Generous: the test itself times answers (SLOW_ANSWER_MS); this only ends a hang.
    this.pool = new Pool(endpoint, { connections: 8, headersTimeout: 30_000, bodyTimeout: 30_000 });
  }

  async send(request: Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'>): Promise<Answer> {
    const response = await this.pool.request({
      method: request.method as 'POST',
      path: request.path,
      headers: request.headers,
      body: request.body,
    });
    const body = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body };
  }

  /** A well-formed Proton call: the status and the parsed body. */
  async call(authorization: string, operation: string, input: unknown): Promise<{ status: number; body: unknown }> {
    const answer = await this.send({
      method: 'POST',
      path: '/',
      headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amz-target': `${TARGET_PREFIX}${operation}`, authorization },
      body: JSON.stringify(input),
    });
    return { status: answer.status, body: JSON.parse(answer.body) as unknown };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
