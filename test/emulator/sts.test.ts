// STS GetCallerIdentity on the emulator's endpoint (the suite's real-account
// interlock asks it before a run): AWS's query protocol, AWS's XML answer,
// the account the Proton API uses for the same key id.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { accountOf, DEFAULT_ACCOUNT } from '../../emulator/identity.ts';
import { startEmulator } from '../../emulator/index.ts';
import { useEmulator } from './support.ts';

function sts(endpoint: string, accessKeyId: string, region = 'us-east-1'): STSClient {
  return new STSClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });
}

async function post(url: string, body: string, contentType = 'application/x-www-form-urlencoded') {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('STS GetCallerIdentity', () => {
  const emulator = useEmulator();

  it('answers @aws-sdk/client-sts with the account of the key id', async () => {
    const client = sts(emulator.url(), '250000000001');
    const identity = await client.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('250000000001');
    expect(identity.UserId).toBe('250000000001');
    expect(identity.Arn).toBe('arn:aws:iam::250000000001:root');
    expect(identity.$metadata.httpStatusCode).toBe(200);
    expect(identity.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    client.destroy();
  });

  it('maps any other key id as the Proton API does', async () => {
    const client = sts(emulator.url(), 'AKIAIOSFODNN7EXAMPLE');
    expect((await client.send(new GetCallerIdentityCommand({}))).Account).toBe(accountOf('AKIAIOSFODNN7EXAMPLE'));
    client.destroy();
  });

  it('answers the XML document of AWS STS, as text/xml', async () => {
    const answer = await post(emulator.url(), 'Action=GetCallerIdentity&Version=2011-06-15');
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/xml');
    expect(answer.text).toMatch(
      new RegExp(
        /^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<GetCallerIdentityResult>\s*/.source +
          /<Arn>arn:aws:iam::123456789012:root<\/Arn>\s*<UserId>123456789012<\/UserId>\s*<Account>123456789012<\/Account>\s*/.source +
          /<\/GetCallerIdentityResult>\s*<ResponseMetadata>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ResponseMetadata>\s*/.source +
          /<\/GetCallerIdentityResponse>\s*$/.source,
      ),
    );
  });

  it('answers InvalidAction (400, STS XML error) to any other action or version', async () => {
    for (const body of ['Action=AssumeRole&Version=2011-06-15', 'Action=GetCallerIdentity&Version=2099-01-01', 'Action=<x>']) {
      const answer = await post(emulator.url(), body);
      expect(answer.status, body).toBe(400);
      expect(answer.type).toBe('text/xml');
      expect(answer.text).toMatch(/<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
      expect(answer.text).toMatch(/<Type>Sender<\/Type>\s*<Code>InvalidAction<\/Code>\s*<Message>[^<]+<\/Message>/);
      expect(answer.text).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId>/);
    }
    expect((await post(emulator.url(), 'Version=2011-06-15')).text).toContain('<Code>MissingAction</Code>');
  });

  it('leaves the Proton API as it was: a JSON request is not STS', async () => {
    const answer = await post(emulator.url(), '{}', 'application/x-amz-json-1.0');
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('UnknownOperationException');
  });

  it('answers the one account when the accounts hook is hidden', async () => {
    const single = await startEmulator({ port: 0, hooks: ['clock'] });
    try {
      const client = sts(single.url, '250000000002');
      expect((await client.send(new GetCallerIdentityCommand({}))).Account).toBe(DEFAULT_ACCOUNT);
      client.destroy();
    } finally {
      await single.close();
    }
  });

  it('is logged as sts:GetCallerIdentity', async () => {
    const lines: string[] = [];
    const logged = await startEmulator({ port: 0, log: (line) => lines.push(line) });
    try {
      const client = sts(logged.url, '250000000003');
      await client.send(new GetCallerIdentityCommand({}));
      client.destroy();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/ 250000000003 sts:GetCallerIdentity 200 /);
    } finally {
      await logged.close();
    }
  });
});
