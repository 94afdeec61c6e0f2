// The part of a `.mjs` reproducer that a wire case needs (issue 21; wire.ts):
// a forwarder on 127.0.0.1 that puts the case's faults (the kinds of
// specs/wire.ts, by delivery number) between its clients and the target and
// keeps the target's answer to every request it forwarded, also those no
// client saw; the case's clients and retries; the judging of every answer.
// Plain JavaScript, written into the script before NODE_RUNTIME (node.ts),
// whose `endpoint`, `send`, `resourceOf` and `describe` it uses when called.

export const NODE_WIRE_RUNTIME = String.raw`
function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// An answer the forwarder makes up itself: a 500 or a throttle as the service writes one, a 503 as a gateway page.
function madeUp(response, fault) {
  if (fault.startsWith('503')) {
    response.writeHead(503, { 'content-type': 'text/html' });
    response.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
    return;
  }
  const [status, type, message] = fault.startsWith('500')
    ? [500, 'InternalServerException', 'We encountered an internal error. Please try again.']
    : [429, 'ThrottlingException', 'Rate exceeded'];
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type });
  response.end(JSON.stringify({ __type: 'com.amazonaws.proton#' + type, message: message + ' (made up by the reproducer)' }));
}

// The forwarder of one wire case: the client signs for the target and connects here; each delivery meets the fault
// the case's schedule gives its number (none: forwarded as it is).
async function wireForwarder(wire) {
  const target = new URL(endpoint);
  const transport = target.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: false });
  const deliveries = [];
  const work = new Set();
  const gates = new Set();
  const arrivals = [];
  const clients = [];
  let reordered = [];

  function forward(request, body, delivery) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (answer) => {
        if (done) return;
        done = true;
        delivery.answers.push(answer);
        for (const gate of [...gates]) gate(delivery);
        resolve(answer);
      };
      const { method, url: path, headers } = request;
      const options = { hostname: target.hostname, port: target.port, path, method, headers, agent };
      const out = transport.request(options, (answer) => {
        const parts = [];
        answer.on('data', (chunk) => parts.push(chunk));
        answer.on('end', () => finish({ status: answer.statusCode, headers: answer.headers, body: Buffer.concat(parts).toString() }));
        answer.on('error', (error) => finish({ error: error.message }));
      });
      out.on('error', (error) => finish({ error: error.message }));
      out.on('close', () => finish({ error: 'the forward ended without an answer' }));
      for (const release of reordered.splice(0)) release();
      out.end(body);
    });
  }

  // 'close': the request goes to the target in one write on a connection of its own, and the connection is closed right
  // behind it (in the same turn when the kernel took every byte, MS later when given), before the target can have
  // answered: the client gave up while the target works, and the target finishes what it started.
  async function giveUp(request, body, delivery, ms) {
    const net = await import('node:net');
    const tls = await import('node:tls');
    const secure = target.protocol === 'https:';
    const port = Number(target.port) || (secure ? 443 : 80);
    let head = request.method + ' ' + request.url + ' HTTP/1.1\r\n';
    for (let i = 0; i < request.rawHeaders.length; i += 2) head += request.rawHeaders[i] + ': ' + request.rawHeaders[i + 1] + '\r\n';
    const bytes = Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), body]);
    await new Promise((resolve) => {
      const host = target.hostname;
      const socket = secure ? tls.connect({ host, port, servername: host }) : net.connect(port, host);
      socket.on('error', resolve);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        let closed = false;
        const close = () => {
          if (closed) return;
          closed = true;
          socket.destroy();
          resolve();
        };
        const written = () => (ms > 0 ? setTimeout(close, ms) : close());
        socket.write(bytes, written);
        if (socket.writableLength === 0) written();
      });
    });
    delivery.answers.push({ error: 'the client went away; the forward was aborted' });
  }

  function reply(response, answer) {
    if (answer.error) return response.destroy();
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  }

  // A late delivery goes on once a retry of it (its own SDK invocation; with lateByCall that alone, else also the same
  // body: an explicit retry) has been answered by the target, or once its MS ran out.
  function lateGate(delivery, ms) {
    return new Promise((resolve) => {
      const gate = (other) => {
        if (other === delivery || !other.answers.some((answer) => !answer.error)) return;
        if (other.invocation === delivery.invocation || (!wire.lateByCall && other.body === delivery.body)) release();
      };
      const timer = setTimeout(release, ms);
      function release() {
        clearTimeout(timer);
        gates.delete(gate);
        resolve();
      }
      gates.add(gate);
    });
  }

  async function play(delivery, request, response, body) {
    const rule = wire.schedule.find((r) => r.n === delivery.n);
    const fault = rule ? rule.fault : undefined;
    const ms = rule && rule.ms ? rule.ms : 0;
    delivery.fault = fault;
    const lose = () => request.socket.destroy();
    if (fault === undefined) return reply(response, await forward(request, body, delivery));
    if (fault === 'drop') {
      await forward(request, body, delivery);
      return lose();
    }
    if (fault === 'close') {
      lose();
      await giveUp(request, body, delivery, ms);
      return;
    }
    if (fault === 'late') {
      lose();
      await lateGate(delivery, ms);
      await forward(request, body, delivery);
      return;
    }
    if (fault === 'duplicate') {
      reply(response, await forward(request, body, delivery));
      await forward(request, body, delivery);
      return;
    }
    if (fault === 'overlap') {
      const copies = [forward(request, body, delivery), forward(request, body, delivery)];
      reply(response, await Promise.race(copies));
      await Promise.all(copies);
      return;
    }
    if (fault === 'delay') {
      await wait(ms);
      return reply(response, await forward(request, body, delivery));
    }
    if (fault === 'reorder') {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        reordered.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return reply(response, await forward(request, body, delivery));
    }
    if (!fault.endsWith('-before')) await forward(request, body, delivery);
    madeUp(response, fault);
  }

  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const invocation = String(request.headers['amz-sdk-invocation-id'] || '');
      const delivery = { n: deliveries.length + 1, invocation, body: body.toString(), answers: [] };
      deliveries.push(delivery);
      for (const arrived of arrivals.splice(0)) arrived();
      const job = play(delivery, request, response, body)
        .catch(() => response.destroy())
        .finally(() => work.delete(job));
      work.add(job);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    deliveries,
    // A client that signs for the target and sends through the forwarder.
    client(attempts) {
      const through = new proton.ProtonClient({ endpoint, maxAttempts: attempts });
      const toForwarder = (next) => (args) => {
        args.request.protocol = 'http:';
        args.request.hostname = '127.0.0.1';
        args.request.port = port;
        return next(args);
      };
      through.middlewareStack.add(toForwarder, { step: 'deserialize', priority: 'low', name: 'throughTheForwarder' });
      clients.push(through);
      return through;
    },
    arrived() {
      return deliveries.length > 0 ? Promise.resolve() : new Promise((resolve) => arrivals.push(resolve));
    },
    async idle() {
      while (work.size > 0) await Promise.allSettled([...work]);
    },
    close() {
      for (const one of clients) one.destroy();
      server.close();
      server.closeAllConnections();
      agent.destroy();
    },
  };
}

function weather(outcome) {
  if (outcome.ok) return false;
  return outcome.status === undefined || outcome.status >= 500 || outcome.status === 429 || /^Throttl/.test(outcome.code);
}

// The target's answer to a delivery, as the SDK would have read it.
function fromWire(answer) {
  let body = {};
  try {
    body = answer.body === '' ? {} : JSON.parse(answer.body);
  } catch {
    // A page that is not JSON: judged by its status.
  }
  if (answer.status >= 200 && answer.status < 300) return { ok: true, body };
  const header = answer.headers['x-amzn-errortype'];
  const typed = typeof body.__type === 'string' ? body.__type.slice(body.__type.lastIndexOf('#') + 1) : 'HTTP ' + answer.status;
  const code = header ? String(header).split(':')[0] : typed;
  return noteAuth({ ok: false, code, message: String(body.message ?? ''), status: answer.status });
}

// The same logical request: with the token the SDK chose for it (the forwarder's first delivery), when the case gave none.
function sameRequest(forwarder, input) {
  if ('clientToken' in input || forwarder.deliveries.length === 0) return input;
  try {
    const token = JSON.parse(forwarder.deliveries[0].body).clientToken;
    return typeof token === 'string' ? { ...input, clientToken: token } : input;
  } catch {
    return input;
  }
}

// Sends once more while the answer is weather (a busy target's own 5xx), at most five times.
async function sendAgain(operation, input, via, outcome) {
  for (let retry = 1; weather(outcome) && retry <= 5; retry++) outcome = await send(operation, input, via);
  return outcome;
}

// Client i of the case: the SDK's own retries (sdk, harness), or one attempt and explicit retries of the same input.
async function wireClient(forwarder, operation, input, mode) {
  const outcome = await send(operation, input, forwarder.client(mode === 'explicit' ? 1 : 3));
  if (mode === 'harness') return outcome;
  return sendAgain(operation, mode === 'sdk' ? sameRequest(forwarder, input) : input, forwarder.client(1), outcome);
}

// Whether a direct Get shows the original's action done: the created resource there, the deleted one gone or going.
async function actionDone(wire, operation, input, first) {
  // A create is read by what its answer names, else by its input where that names it (a template's name).
  const named = first.ok ? resourceOf(first.body) : wire.get.fields.every((f) => f in input) ? input : undefined;
  const source = wire.kind === 'create' ? named : input;
  if (!source) return false;
  const read = await send(wire.get.operation, Object.fromEntries(wire.get.fields.map((f) => [f, source[f]])));
  if (wire.kind === 'create') return read.ok;
  if (!read.ok) return read.code === 'ResourceNotFoundException';
  const resource = resourceOf(read.body);
  return Boolean(wire.inProgress && resource && resource[wire.inProgress.field] === wire.inProgress.value);
}

// Once the original's processing has ended: at once when the forwarder has the target's answer to every forward; when
// it aborted one, once a direct Get shows the action done, else after a settle time of a few of those reads' round trips.
async function settle(wire, forwarder, operation, input, first) {
  const aborted = forwarder.deliveries.some((d) => d.answers.some((answer) => answer.error));
  if (!aborted) return "the forwarder has the target's answer to every forward";
  const trips = [];
  for (let read = 1; read <= wire.late.settleReads; read++) {
    const started = performance.now();
    const done = await actionDone(wire, operation, input, first);
    trips.push(performance.now() - started);
    if (done) return 'a forward was aborted; read ' + read + ' shows the action done';
    const sorted = [...trips].sort((a, b) => a - b);
    await wait(Math.max(wire.late.settleFloorMs, Math.ceil(wire.late.settleRoundTrips * sorted[Math.floor(sorted.length / 2)])));
  }
  return 'a forward was aborted; ' + trips.length + ' reads did not show the action done, each followed by a settle time';
}

// One wire case: every client's request through the forwarder, their retries, the late retries; every answer kept.
async function wireCall(step, input, wire) {
  const forwarder = await wireForwarder(wire);
  const answers = [];
  let results;
  try {
    const first = wireClient(forwarder, step.operation, input, wire.modes[0]);
    // The other clients start once the first one's request reached the forwarder: the delivery faulted first is its.
    if (wire.clients > 1) await Promise.race([forwarder.arrived(), first]);
    const rest = Array.from({ length: wire.clients - 1 }, (_, i) =>
      wireClient(forwarder, step.operation, input, wire.modes[(i + 1) % wire.modes.length]),
    );
    results = await Promise.all([first, ...rest]);
    results.forEach((outcome, i) => answers.push({ source: wire.clients > 1 ? 'client ' + (i + 1) : 'the client', outcome }));
    await forwarder.idle();
    if (wire.late) {
      const again = sameRequest(forwarder, input);
      const via = forwarder.client(1);
      const why = await settle(wire, forwarder, step.operation, input, results[0]);
      let outcome = await sendAgain(step.operation, again, via, await send(step.operation, again, via));
      answers.push({ source: "the retry once the original's processing had ended (" + why + ')', outcome });
      await wait(wire.late.backoffMs);
      outcome = await sendAgain(step.operation, again, via, await send(step.operation, again, via));
      answers.push({ source: "the retry after the SDK's standard backoff (" + wire.late.backoffMs + ' ms)', outcome });
      await forwarder.idle();
    }
    for (const delivery of forwarder.deliveries) {
      delivery.answers.forEach((answer, copy) => {
        if (answer.error) return;
        const copies = delivery.answers.length > 1 ? ' (copy ' + (copy + 1) + ')' : '';
        const source = "the target's answer to delivery #" + delivery.n + copies + (delivery.fault ? ' [' + delivery.fault + ']' : '');
        answers.push({ source, outcome: fromWire(answer) });
      });
    }
  } finally {
    forwarder.close();
  }
  const read = Object.fromEntries(wire.get.fields.map((f) => [f, input[f]]));
  const after = wire.kind === 'delete' ? await send(wire.get.operation, read) : undefined;
  return { ...results[0], wire: answers, after, sent: input };
}

// Why a wire case's answers miss the rule, or undefined when they keep it.
function wireMiss(wire, outcome) {
  const problems = [];
  const arns = new Set();
  for (const { source, outcome: answer } of outcome.wire) {
    if (answer.ok) {
      const resource = resourceOf(answer.body);
      if (wire.kind === 'create') {
        if (resource) arns.add(resource.arn);
        else problems.push(source + ' succeeded without the resource');
      } else if (resource && wire.get.fields.some((f) => String(resource[f]) !== String(outcome.sent[f]))) {
        problems.push(source + ' names ' + resource.arn + ', not the deleted resource');
      } else if (resource && wire.inProgress && resource[wire.inProgress.field] !== wire.inProgress.value) {
        const { field, value } = wire.inProgress;
        problems.push(source + ' answered ' + field + ' ' + resource[field] + ', not ' + value);
      }
      continue;
    }
    if (weather(answer)) continue;
    if (answer.code === 'ValidationException') problems.push(source + ' called an identical request invalid: ' + answer.code);
    else if (!wire.refusals) problems.push(source + ' was to succeed: ' + answer.code);
  }
  if (arns.size > 1) problems.push('the successes name ' + arns.size + ' resources: ' + [...arns].join(', '));
  const after = outcome.after;
  if (after && after.ok && outcome.wire.some((a) => a.outcome.ok)) {
    const resource = resourceOf(after.body);
    if (!(wire.inProgress && resource && resource[wire.inProgress.field] === wire.inProgress.value)) {
      problems.push('after the delete succeeded, Get still finds the resource');
    }
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}
`;
