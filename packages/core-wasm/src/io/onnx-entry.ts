/**
 * The `@paradox/core-wasm/onnx` entry point: ONNX import (onnx.ts) and reading a network file,
 * ONNX or `paradox-network/1` JSON by extension (network-file.ts). A separate entry because ONNX
 * decoding depends on `@bufbuild/protobuf`, which the root entry must not load; a file of its own
 * so that network-file.ts can use onnx.ts without the two importing each other.
 */
export { loadOnnx, ONNX_SUPPORTED_OPS, readOnnx, type OnnxImport } from './onnx.js';
export { isOnnxName, networkFromBytes, readNetworkFile } from './network-file.js';
