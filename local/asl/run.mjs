// The ASL engine of the local cloud: a long-lived Node process that runs Step Functions executions
// on the aws-local-stepfunctions library for the Java side (dev.lustreha.local.sfn.AslEngine).
//
// Line protocol, one JSON document per line. On start it writes {"ready": true, "node": <version>}.
// Request (stdin):
//   {"id": n, "definition": "<ASL JSON text>", "input": <JSON>, "context": <Context Object>,
//    "timeScale": f, "waitOverrides": {"<Wait state>": ms}, "retryOverrides": {"<state>": ms}}
// Reply (stdout), once per request, in the order executions end:
//   {"id": n, "status": "SUCCEEDED", "output": <JSON>, "history": [event...]}
//   {"id": n, "status": "FAILED" | "TIMED_OUT", "error": "...", "cause": "...", "history": [event...]}
//   {"id": n, "status": "REJECTED", "cause": "..."}       the definition is invalid
//   {"id": n, "status": "ENGINE_ERROR", "cause": "..."}   the engine itself failed
// Executions run concurrently. The process ends when stdin closes.
//
// Task states call Lambda through the AWS SDK for JavaScript, which the parent points at the local
// endpoint (AWS_ENDPOINT_URL_LAMBDA) with dummy credentials.

import { createInterface } from 'node:readline';
import { ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';

// stdout carries the protocol alone: whatever else gets printed goes to stderr.
const reply = (message) => process.stdout.write(JSON.stringify(message) + '\n');
console.log = console.info = console.debug = console.error;

// Validating a definition costs more than running a short execution: build each machine once.
const machines = new Map();

function machineFor(definitionText, timeScale) {
  const key = `${timeScale}\n${definitionText}`;
  let machine = machines.get(key);
  if (!machine) {
    const definition = JSON.parse(definitionText);
    // The definition as written is what gets validated (this throws when it is invalid) ...
    machine = new StateMachine(definition);
    if (timeScale !== 1) {
      // ... and a copy with its waits and retry intervals scaled is what runs. Fractional seconds
      // are not valid ASL, hence no second validation; the engine's arithmetic takes them as they are.
      machine = new StateMachine(scaled(definition, timeScale), { validationOptions: { noValidate: true } });
    }
    machines.set(key, machine);
  }
  return machine;
}

// Scales every duration the definition fixes: Wait Seconds, and each retrier's IntervalSeconds
// (default 1) and MaxDelaySeconds, so backoff keeps its shape. Waits given by a path or a
// timestamp depend on the input and are left alone (override them by state name instead).
function scaled(machine, factor) {
  const copy = structuredClone(machine);
  for (const state of Object.values(copy.States)) {
    if (state.Type === 'Wait' && typeof state.Seconds === 'number') {
      state.Seconds *= factor;
    }
    for (const retrier of state.Retry ?? []) {
      retrier.IntervalSeconds = (retrier.IntervalSeconds ?? 1) * factor;
      if (typeof retrier.MaxDelaySeconds === 'number') {
        retrier.MaxDelaySeconds *= factor;
      }
    }
    state.Branches = state.Branches?.map((branch) => scaled(branch, factor));
    for (const field of ['ItemProcessor', 'Iterator']) {
      if (state[field]) {
        state[field] = scaled(state[field], factor);
      }
    }
  }
  return copy;
}

// The engine gives a Lambda error's cause as the parsed error document; Step Functions gives it
// as text, the document's JSON.
const causeText = (cause) => (cause === undefined || typeof cause === 'string' ? cause : JSON.stringify(cause));

// The history without the states' input and output: what the Java side counts and reports.
function compact(event) {
  return {
    type: event.type,
    timestamp: event.timestamp,
    state: event.state?.name,
    error: event.Error,
    cause: causeText(event.Cause),
    index: event.index,
  };
}

async function history(eventLogs) {
  const events = [];
  for await (const event of eventLogs) {
    events.push(compact(event));
  }
  return events;
}

async function execute(request) {
  let machine;
  try {
    machine = machineFor(request.definition, request.timeScale ?? 1);
  } catch (e) {
    return { status: 'REJECTED', cause: e.message };
  }
  const execution = machine.run(request.input, {
    context: request.context,
    overrides: {
      waitTimeOverrides: request.waitOverrides ?? {},
      retryIntervalOverrides: request.retryOverrides ?? {},
    },
  });
  const events = history(execution.eventLogs);
  try {
    return { status: 'SUCCEEDED', output: await execution.result, history: await events };
  } catch (e) {
    if (e instanceof ExecutionTimeoutError) {
      return { status: 'TIMED_OUT', error: 'States.Timeout', cause: e.message, history: await events };
    }
    if (e instanceof ExecutionError) {
      const failure = e.cause;
      return {
        status: 'FAILED',
        error: failure.name,
        cause: causeText(failure.cause ?? failure.message),
        history: await events,
      };
    }
    throw e;
  }
}

const requests = createInterface({ input: process.stdin, crlfDelay: Infinity });
requests.on('line', (line) => {
  if (line.trim() === '') {
    return;
  }
  const request = JSON.parse(line);
  execute(request).then(
    (result) => reply({ id: request.id, ...result }),
    // A failure of the engine itself, not of the execution: the Java side fails that one request.
    (e) => reply({ id: request.id, status: 'ENGINE_ERROR', cause: e.stack ?? String(e) }),
  );
});
requests.on('close', () => process.exit(0));
reply({ ready: true, node: process.version });
