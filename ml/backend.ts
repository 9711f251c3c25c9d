/**
 * The TF.js backend: tfjs-node when it happens to be installed (it cannot be installed on our build
 * machines), otherwise the WebAssembly backend. Never a hard dependency on tfjs-node.
 */
import * as tf from '@tensorflow/tfjs';

let ready: Promise<string> | null = null;

function nodeBindingAvailable(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

async function initialise(): Promise<string> {
  if (nodeBindingAvailable()) {
    try {
      const name = '@tensorflow/tfjs-node';
      require(name);
      if (await tf.setBackend('tensorflow')) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // an unusable native binding falls back to wasm
    }
  }
  require('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('The TF.js wasm backend could not be initialised');
  await tf.ready();
  return tf.getBackend();
}

/** Selects and initialises the backend once per process; returns its name ('tensorflow' or 'wasm'). */
export function ensureTfBackend(): Promise<string> {
  ready ??= initialise().catch((error: unknown) => {
    ready = null;
    throw error;
  });
  return ready;
}
