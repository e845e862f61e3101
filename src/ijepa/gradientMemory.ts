// Backprop that lets go of what it has used. tfjs' backprop (tfjs-core's tape.ts, 4.22) keeps every
// gradient it computes, and every tensor a kernel saved for its gradient, until the whole backward
// pass ends: a `tiny` step then peaks at ~550 MB of tensors where its forward needs ~100 MB, and the
// WASM heap grows to match (each page of it touched afresh on the first step: 1.8 s of a 2.6 s first
// step on a 2-core VM; docs/BENCHMARKS.md). Both are dead once their tape node's gradient has run:
// a node's output gradients are read by that node only, and its saved tensors are its own clones.
//
// The engine walks the tape from the loss backward and, for each node, calls `node.gradient(dys)` and
// then each input's gradient thunk before it moves to the next node. So when a node's gradient is
// called, the node before it in the walk is done: its dys and saved tensors are released then. Left
// alone: a dy the caller passed in, and any tensor a thunk returned as it was (an identity gradient
// hands its dy on as the input's gradient). Not while a gradient is itself being taped (higher-order
// gradients read the backward's tensors again), as tfjs keeps `saved` then.
//
// Installed on the engine instance (tfjs-core pinned at 4.22.0: `addTapeNode` and `gradients` are
// its methods); the values computed are the same tensors as before, only disposed sooner.
import * as tf from '@tensorflow/tfjs-core'; // not ./tf, which installs this

type Thunks = Record<string, () => tf.Tensor>;
interface TapeNode {
  gradient?: (dys: tf.Tensor[]) => Thunks;
  saved?: tf.Tensor[];
}
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  addTapeNode(...args: unknown[]): void;
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean): unknown;
}

/** One backward pass: the node whose gradient ran last, and what it may release. */
interface Backward {
  protectedDy: tf.Tensor | undefined; // the caller's dy
  done: { dys: tf.Tensor[]; saved: tf.Tensor[]; handedOn: Set<tf.Tensor> } | null;
}

/** What the engine's wrappers share. Kept on the engine, not in this module: the engine is one global
 *  object, while this module may be evaluated twice (a test that resets its modules), and a second
 *  copy must neither wrap the engine again nor switch a flag the first wrapper does not read. */
interface ReleaseState {
  backwards: (Backward | null)[]; // nested gradients (a custom gradient may take its own)
  enabled: boolean;
}
const STATE_KEY = Symbol.for('ijepa.gradientRelease');
const engineState = () => (tf.engine() as unknown as Record<symbol, ReleaseState | undefined>)[STATE_KEY];

function releaseDone(pass: Backward): void {
  const done = pass.done;
  if (!done) return;
  for (const dy of done.dys) if (dy !== pass.protectedDy && !done.handedOn.has(dy)) dy.dispose();
  for (const t of done.saved) if (!done.handedOn.has(t)) t.dispose();
  pass.done = null;
}

/** Wraps a tape node's gradient so that the pass releases the previous node's tensors when it gets here. */
function wrapGradient(node: TapeNode): void {
  const gradient = node.gradient;
  if (!gradient) return;
  const saved = node.saved ?? [];
  node.gradient = (dys: tf.Tensor[]) => {
    const backwards = engineState()!.backwards;
    const pass = backwards[backwards.length - 1];
    if (!pass) return gradient(dys);
    releaseDone(pass);
    const handedOn = new Set<tf.Tensor>();
    pass.done = { dys: dys.filter((dy) => dy != null), saved, handedOn };
    const thunks = gradient(dys);
    const wrapped: Thunks = {};
    for (const [name, thunk] of Object.entries(thunks)) {
      wrapped[name] = () => {
        const dx = thunk();
        handedOn.add(dx);
        return dx;
      };
    }
    return wrapped;
  };
}

/** Turns early release on for every gradient the engine computes from now on (idempotent). */
export function installGradientRelease(): void {
  if (engineState()) return;
  const state: ReleaseState = { backwards: [], enabled: true };
  const engine = tf.engine() as unknown as EngineInternals;
  (engine as unknown as Record<symbol, ReleaseState>)[STATE_KEY] = state;
  const addTapeNode = engine.addTapeNode.bind(engine);
  engine.addTapeNode = (...args: unknown[]) => {
    addTapeNode(...args);
    const tape = engine.state.activeTape;
    if (tape && tape.length > 0) wrapGradient(tape[tape.length - 1]);
  };
  const gradients = engine.gradients.bind(engine);
  engine.gradients = (f, xs, dy, allowNoGradients) => {
    // taped from inside another gradient's f: a higher-order gradient will read these tensors again
    state.backwards.push(state.enabled && engine.state.gradientDepth === 0 ? { protectedDy: dy, done: null } : null);
    try {
      return gradients(f, xs, dy, allowNoGradients);
    } finally {
      state.backwards.pop();
    }
  };
}

/** For the tests: the same backward with nothing released early (tfjs as it is). */
export function setGradientRelease(on: boolean): void {
  engineState()!.enabled = on;
}
