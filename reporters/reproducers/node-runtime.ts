// The part every `.mjs` reproducer shares (issue 21): it fills in the
// placeholders with fresh values, sends the steps through
// @aws-sdk/client-proton, moves the hooks, judges each step by its
// expectation, removes what it made, and sets the exit code. Plain
// JavaScript, written into each script after its CASE constant (node.ts).

export const NODE_RUNTIME = String.raw`
const { values: flags } = parseArgs({ options: { endpoint: { type: 'string' }, help: { type: 'boolean' } } });
if (flags.help || !flags.endpoint) {
  console.error('usage: node ' + process.argv[1] + ' --endpoint URL   (credentials and region: the standard AWS chain)');
  process.exit(2);
}
const endpoint = flags.endpoint.replace(/\/+$/, '');
const client = new proton.ProtonClient({ endpoint, maxAttempts: 1 });
const RUN_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz';
const freshRun = () => Array.from({ length: CASE.runId.length || 10 }, () => RUN_CHARS[randomInt(36)]).join('');
let RUN = freshRun();
let outcomes = [];
let clockAt = [];
let made = [];
let broken = 0;
let unmet = 0;
// The first answer that refused the credentials or the signature: the case could not be judged (exit 2).
let refusedAuth;
function noteAuth(outcome) {
  if (!outcome.ok && CASE.authFailures.includes(outcome.code)) refusedAuth ??= outcome.code + ': ' + outcome.message;
  return outcome;
}
// A wire case (wire/* rules): its cases, one per round, and the one this round sends.
const WIRE_CASES = CASE.steps.flatMap((step) => step.wire ?? []);
let wireCase = WIRE_CASES[0];
// A case that repeats sends what it builds on with the SDK's own retries (the target's own weather is resent).
const retrying = WIRE_CASES.some((c) => c.counter) ? new proton.ProtonClient({ endpoint, maxAttempts: 3 }) : undefined;

function pick(chars) {
  return chars[randomInt(chars.length)];
}

// A fresh token of the same length and kinds of character as the case's (a UUID keeps its version and variant).
const tokensLike = () => CASE.tokens.map((token) => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(token);
  return Array.from(token, (c, i) => {
    if (uuid && (i === 14 || i === 19)) return c;
    if (/[0-9]/.test(c)) return pick('0123456789');
    if (/[a-f]/.test(c)) return pick('abcdef');
    if (/[A-F]/.test(c)) return pick('ABCDEF');
    if (/[a-z]/.test(c)) return pick('ghijklmnopqrstuvwxyz');
    if (/[A-Z]/.test(c)) return pick('GHIJKLMNOPQRSTUVWXYZ');
    return c;
  }).join('');
});
let freshTokens = tokensLike();

function tokenLike(index, like) {
  return Array.from(freshTokens[index], (c, i) => {
    const model = like[i] ?? c;
    if (model !== model.toLowerCase()) return c.toUpperCase();
    if (model !== model.toUpperCase()) return c.toLowerCase();
    return c;
  }).join('');
}

function fill(value) {
  if (typeof value === 'string') return value.split(CASE.runMark).join(RUN);
  if (Array.isArray(value)) return value.map(fill);
  if (value === null || typeof value !== 'object') return value;
  if ('$token' in value) return tokenLike(value.$token, value.like);
  if ('$ref' in value) {
    const [step, ...path] = value.$ref;
    let at = outcomes[step] && outcomes[step].body;
    for (const key of path) at = at == null ? undefined : at[key];
    if (typeof at !== 'string') throw new Error('step ' + (step + 1) + ' answered no ' + path.join('.'));
    return at;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
}

// A case that let the SDK choose the token sends none.
function withoutToken(input, sdkToken) {
  if (!sdkToken) return input;
  const { clientToken, ...rest } = input;
  return rest;
}

async function hook(method, path, body) {
  const credentials = await client.config.credentials();
  const response = await fetch(endpoint + '/_conformance/v1/' + path, {
    method,
    headers: { 'content-type': 'application/json', 'x-conformance-account': credentials.accessKeyId },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error('hook ' + method + ' ' + path + ' answered HTTP ' + response.status + ': ' + text.slice(0, 200));
  return JSON.parse(text);
}

function resourceOf(body) {
  if (!body) return undefined;
  return Object.values(body).find((v) => v && typeof v === 'object' && !Array.isArray(v) && typeof v.arn === 'string');
}

function time(value) {
  return value instanceof Date ? value.getTime() : value;
}

async function send(operation, input, via = client) {
  const Command = proton[operation + 'Command'];
  try {
    const { $metadata, ...body } = await via.send(new Command(input));
    return { ok: true, body, attempts: $metadata.attempts };
  } catch (error) {
    const metadata = error.$metadata ?? {};
    const { httpStatusCode: status, attempts } = metadata;
    return noteAuth({ ok: false, code: error.name, message: String(error.message), status, attempts });
  }
}

// Requests sent at once: a small forwarder on 127.0.0.1 holds them until all have arrived, then sends them to the
// target together (the headers as signed), so that they meet there as they did in the suite's run.
// With 'lose', the first response is read from the target and then lost: the client's connection is reset instead.
async function atOnce(count, sendAll, lose = false) {
  const target = new URL(endpoint);
  const held = [];
  let forwarded = 0;
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      held.push({ request, response, body: Buffer.concat(chunks) });
      if (held.length === count || forwarded > 0) for (const one of held.splice(0)) forward(one);
    });
  });
  function forward({ request, response, body }) {
    const transport = target.protocol === 'https:' ? https : http;
    const options = { hostname: target.hostname, port: target.port, path: request.url, method: request.method, headers: request.headers };
    const first = forwarded++ === 0;
    const out = transport.request(options, (answer) => {
      if (lose && first) {
        answer.resume();
        answer.on('end', () => request.socket.destroy());
        return;
      }
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    });
    out.on('error', () => response.destroy());
    out.end(body);
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const attempts = lose ? 2 : 1;
  const proxied = new proton.ProtonClient({ endpoint: 'http://127.0.0.1:' + server.address().port, maxAttempts: attempts });
  try {
    return await sendAll(proxied);
  } finally {
    proxied.destroy();
    server.close();
  }
}

async function countOf(operation, input) {
  let count = 0;
  let nextToken;
  do {
    const outcome = await send(operation, { ...input, ...(nextToken ? { nextToken } : {}) });
    if (!outcome.ok) return outcome;
    const items = Object.values(outcome.body).find(Array.isArray) ?? [];
    const mine = items.filter((item) => JSON.stringify(item).includes(RUN));
    count += mine.length;
    // A wire create's List: what it lists of this execution is removed too (a resource no answer named).
    if (wireCase && wireCase.kind === 'create') {
      for (const item of mine) remember({ operation: 'Create' }, { ok: true, body: { [wireCase.member]: item } });
    }
    nextToken = outcome.body.nextToken;
  } while (nextToken);
  return { ok: true, body: {}, count };
}

function describe(outcome) {
  if (outcome.wire) {
    const lines = outcome.wire.map((answer) => '\n    ' + answer.source + ': ' + describe(answer.outcome));
    const after = outcome.after ? '\n    then Get: ' + describe(outcome.after) : '';
    return outcome.wire.length + ' answers:' + lines.join('') + after;
  }
  if (!outcome.ok) return outcome.code + ': ' + outcome.message;
  if (outcome.count !== undefined) return outcome.count + ' of this execution\'s resources listed';
  const resource = resourceOf(outcome.body);
  if (!resource) return 'success, empty (' + JSON.stringify(outcome.body) + ')';
  const status = Object.entries(resource).find(([k]) => /(^s|S)tatus$/.test(k));
  const created = resource.createdAt === undefined ? '' : ', createdAt ' + new Date(time(resource.createdAt)).toISOString();
  return 'success naming ' + resource.arn + created + (status ? ', ' + status[0] + ' ' + status[1] : '');
}

function folded(text) {
  return text.toLowerCase().replace(/[\s_-]+/g, '');
}

function sameResource(a, b, createdAt) {
  const x = resourceOf(a && a.body);
  const y = resourceOf(b && b.body);
  return Boolean(x && y && x.arn === y.arn && (!createdAt || time(x.createdAt) === time(y.createdAt)));
}

// Why the outcome misses its expectation, or undefined when it meets it.
function miss(expect, outcome, index) {
  if (expect.wire) return wireMiss(wireCase, outcome);
  const mismatch = !outcome.ok && outcome.code === 'ValidationException' && folded(outcome.message).includes(folded(CASE.marker));
  if (expect.error) {
    if (outcome.ok) return 'it succeeded';
    if (!expect.error.includes(outcome.code)) return 'another error';
    if (expect.marker && !mismatch) return 'the message does not name the idempotent parameter mismatch';
    return undefined;
  }
  if (expect.notError && !outcome.ok && expect.notError.includes(outcome.code)) return 'a ' + outcome.code;
  if (expect.ok && !outcome.ok) return expect.orMismatch && mismatch ? undefined : 'it failed';
  if (!outcome.ok) return undefined;
  const resource = resourceOf(outcome.body);
  if (expect.sameAs !== undefined && !sameResource(outcome, outcomes[expect.sameAs], expect.sameCreatedAt)) return 'another resource';
  if (expect.newThan !== undefined && (!resource || sameResource(outcome, outcomes[expect.newThan], false))) return 'not a new resource';
  if (expect.notOriginal !== undefined && (!resource || sameResource(outcome, outcomes[expect.notOriginal], true))) return 'the original';
  if (expect.emptyOrSameAs !== undefined && resource && !sameResource(outcome, outcomes[expect.emptyOrSameAs], false)) {
    return 'another resource';
  }
  if (expect.empty && resource) return 'a resource in the response';
  if (expect.named && !resource) return 'no resource in the response';
  if (expect.status && !(resource && Object.entries(resource).some(([k, v]) => /(^s|S)tatus$/.test(k) && v === expect.status))) {
    return 'another status';
  }
  if (expect.countDelta) {
    const before = outcomes[expect.countDelta.of];
    if (!before || before.count === undefined) return 'the count before could not be taken';
    if (outcome.count !== before.count + expect.countDelta.delta) {
      return 'the count went from ' + before.count + ' to ' + outcome.count;
    }
  }
  if (expect.oneResource) {
    const group = CASE.steps[index].group;
    const named = (s, i) => (s.group === group && outcomes[i] && outcomes[i].ok ? [resourceOf(outcomes[i].body)?.arn] : []);
    const arns = new Set(CASE.steps.flatMap(named));
    if (arns.size > 1) return 'the successes name ' + arns.size + ' resources: ' + [...arns].join(', ');
  }
  return undefined;
}

function judge(index) {
  const step = CASE.steps[index];
  if (!step.expect) return;
  const why = miss(step.expect, outcomes[index], index);
  const line = 'step ' + (index + 1) + ' ' + step.operation + (why ? ' BROKEN' : ' as expected');
  const got = describe(outcomes[index]) + (why ? (step.expect.wire ? '\n  broken:   ' : ' (') + why + (step.expect.wire ? '' : ')') : '');
  console.log(line + '\n  expected: ' + step.expect.why + '\n  got:      ' + got);
  // Where the case repeats (a target that fails on its own after acting), a create or delete it builds on is resent after
  // the target's own 5xx or throttle, as the suite's client resends it: a resend that then fails breaks the rule too.
  const resent = retrying !== undefined && outcomes[index].attempts > 1 && !outcomes[index].ok && !weather(outcomes[index]);
  if (why && resent) console.log('  broken:   the resend after the target\'s own 5xx or throttle failed');
  if (why && step.expect.precondition && !resent) unmet++;
  else if (why) broken++;
}

function remember(step, outcome) {
  if (!outcome.ok || !step.operation.startsWith('Create')) return;
  for (const [member, value] of Object.entries(outcome.body)) {
    const removal = CASE.removals[member];
    if (!removal || !value) continue;
    made.push({ member, operation: removal.operation, input: Object.fromEntries(removal.fields.map((f) => [f, value[f]])) });
  }
}

async function run(index) {
  const step = CASE.steps[index];
  if (step.kind === 'advance') {
    let ms = step.ms;
    if (step.since !== undefined && clockAt[step.since] !== undefined) {
      const now = (await hook('GET', 'clock')).epochMs;
      ms = Math.max(0, step.sinceMs - (now - clockAt[step.since]));
    }
    console.log('step ' + (index + 1) + ': the clock hook moves the target\'s clock by ' + ms + ' ms');
    await hook('POST', 'clock/advance', { ms });
    return 1;
  }
  if (step.kind === 'durations') {
    console.log('step ' + (index + 1) + ': the durations hook sets ' + JSON.stringify(step.durations));
    await hook('PUT', 'durations', { durations: step.durations });
    return 1;
  }
  let end = index;
  while (step.group !== undefined && CASE.steps[end + 1] && CASE.steps[end + 1].group === step.group) end++;
  const batch = CASE.steps.slice(index, end + 1);
  let answers;
  if (batch.length > 1) answers = await atOnce(batch.length, (via) => Promise.all(batch.map((s) => send(s.operation, fill(s.input), via))));
  else if (step.lose) answers = [await atOnce(1, (via) => send(step.operation, fill(step.input), via), true)];
  else if (step.wire) answers = [await wireCall(step, withoutToken(fill(step.input), wireCase.sdkToken), wireCase)];
  else if (step.count) answers = [await countOf(step.operation, fill(step.input))];
  else answers = [await send(step.operation, fill(step.input), retrying && step.expect ? retrying : client)];
  // Every success of a wire case's history names what it made (a second resource too).
  if (step.wire) for (const answer of answers[0].wire) remember(step, answer.outcome);
  if (step.clock) clockAt[index] = (await hook('GET', 'clock')).epochMs;
  answers.forEach((outcome, offset) => {
    outcomes[index + offset] = outcome;
    remember(batch[offset], outcome);
  });
  for (let i = index; i <= end; i++) judge(i);
  return end - index + 1;
}

async function cleanUp(savedDurations) {
  if (savedDurations) {
    const zero = Object.fromEntries(Object.keys(savedDurations).map((k) => [k, 0]));
    await hook('PUT', 'durations', { durations: zero }).catch(() => undefined);
  }
  // In passes, what depends on others first; a template's recommended version goes only once its others are gone.
  let pending = CASE.deletionOrder.flatMap((member) => made.filter((m) => m.member === member).reverse());
  for (let pass = 0; pass < 20 && pending.length > 0; pass++) {
    const still = [];
    for (const item of pending) {
      const outcome = await send(item.operation, item.input);
      if (!outcome.ok && outcome.code !== 'ResourceNotFoundException') still.push(item);
    }
    if (still.length === pending.length) await new Promise((resolve) => setTimeout(resolve, 250));
    pending = still;
  }
  const left = pending.map((item) => item.operation + ' ' + JSON.stringify(item.input));
  if (savedDurations) await hook('PUT', 'durations', { durations: savedDurations }).catch(() => undefined);
  if (left.length > 0) console.error('could not remove: ' + left.join('; '));
}

console.log('reproducer of ' + CASE.rule + ' on ' + CASE.operation + ' against ' + endpoint + ' (names ' + RUN + ')');
let savedDurations;
let failure;
// A wire case runs once per case it names, each up to its rounds (fresh names and tokens each time), until one breaks the rule.
// The cases in turn, each as many times as its rounds.
const MOST_ROUNDS = Math.max(0, ...WIRE_CASES.map((c) => c.rounds));
const ORDER = Array.from({ length: MOST_ROUNDS }, (_, r) => WIRE_CASES.filter((c) => c.rounds > r)).flat();
const ROUNDS = Math.max(1, ORDER.length);
let completed = 0;
for (let round = 0; round < ROUNDS && broken === 0 && !failure; round++) {
  if (round > 0) {
    RUN = freshRun();
    freshTokens = tokensLike();
    outcomes = [];
    clockAt = [];
    made = [];
    unmet = 0;
  }
  wireCase = ORDER[round];
  const faults = wireCase ? ': faults ' + JSON.stringify(wireCase.schedule) : '';
  if (ROUNDS > 1) console.log('round ' + (round + 1) + ' of ' + ROUNDS + ' (names ' + RUN + ')' + faults);
  try {
    if (CASE.hooks.includes('durations') && savedDurations === undefined) {
      savedDurations = await hook('GET', 'durations').then((d) => d.durations ?? d);
    }
    for (let index = 0; index < CASE.steps.length && unmet === 0; ) index += await run(index);
    if (unmet === 0) completed++;
  } catch (error) {
    failure = error;
  } finally {
    await cleanUp(savedDurations);
  }
}
if (failure) {
  console.error('could not run the case: ' + (failure.stack ?? failure));
  process.exit(2);
}
if (refusedAuth) {
  console.log('INCONCLUSIVE: the target refused the credentials or the signature (' + refusedAuth + '): check the standard chain');
  process.exit(2);
}
if (broken > 0) {
  console.log('FAIL: the target breaks ' + CASE.rule + ' (' + broken + ' expectation' + (broken === 1 ? '' : 's') + ' not met)');
  process.exit(1);
}
if (completed === 0) {
  console.log('INCONCLUSIVE: a step the case builds on answered otherwise than when the suite ran it');
  process.exit(2);
}
console.log('PASS: the target keeps ' + CASE.rule + ' on this case');
process.exit(0);
`;
