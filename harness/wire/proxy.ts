// The wire proxy: a fault-injecting HTTP proxy between any client and any
// target (issue 10). It forwards each request byte for byte (the same method,
// path, headers and body; hop-by-hop headers aside) to the target, and the
// target's answer back, except where its seeded fault schedule says
// otherwise: a response dropped after the target sent it, the client's side
// closed while the target works, a request delivered twice, delayed or
// overtaken, a 500, 503 or ThrottlingException answered by the proxy itself,
// before or after forwarding (specs/wire.ts lists them).
//
// Signatures: the proxy forwards the Host header unchanged, so the signature
// still matches what the target receives. The suite's own clients sign for
// the target's endpoint and connect to the proxy (harness/run/cell.ts, the
// handler's connectTo), so a real service, which checks the Host against its
// own name, gets the request it would get directly, over TLS for an https
// target (harness/wire/upstream.ts). Another client (the AWS CLI) signs for
// the host it sends to: the proxy's, which an emulator accepts; for a real
// service, make it sign for the service's host name and connect to the proxy
// (e.g. a resolver or /etc/hosts entry naming the proxy).
//
// Everything that happens is kept: each delivery (what came in, the fault,
// every answer of the target, what the client was shown), and a history of
// events in time order (harness/types.ts WireEvent) that the checks' own
// clients add to: the evidence of a wire failure.
//
// This module is the proxy's face for the rest of the tree; its parts are
// faults.ts (the --faults grammar and the seeded schedule), history.ts (the
// deliveries and the events), server.ts (startProxy: listening, forwarding,
// playing each fault), incoming.ts (a client's request as it is forwarded),
// and the two sides' HTTP/1.1 (http1.ts, upstream.ts).
export { FaultSchedule, faultSpec, parseFaults } from './faults.ts';
export type { FaultRule, FaultWhen } from './faults.ts';
export { describeRequest, logicalKey, namedIn, summarizeAnswer, WireHistory } from './history.ts';
export type { Delivery, TargetAnswer } from './history.ts';
export { startProxy, TOGETHER_MS } from './server.ts';
export type { ProxyOptions, RunningProxy } from './server.ts';
