// Jest runs each test file in its own vm context, whose typed-array constructors differ from the
// ones onnxruntime-node's native binding creates: `instanceof Float32Array` then fails inside
// onnxruntime-common ("A float32 tensor's data must be type of Float32Array"). This environment
// shares the main realm's typed arrays with the test context. It is every Jest project's test
// environment (jest.config.js), so any test may run a session.
const { TestEnvironment } = require('jest-environment-node');

const shared = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Buffer',
];

class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of shared) if (globalThis[name]) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxEnvironment;
