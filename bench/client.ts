// The SDK client the latency metrics time: one attempt (a retry would be
// timed as part of the request), dummy credentials that name the account.
import { ProtonClient } from '@aws-sdk/client-proton';

export function benchClient(endpoint: string, accessKeyId: string): ProtonClient {
  return new ProtonClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'bench-dummy-secret' },
    maxAttempts: 1,
  });
}
