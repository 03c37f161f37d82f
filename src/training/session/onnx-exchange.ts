/**
 * The network in force as an ONNX model, and an ONNX model as a network to train on. ONNX
 * import goes through the ConvNetJS snapshot path, so a model is checked and refused
 * exactly as a snapshot file is.
 */
import { errorMessage } from '../../engine/error-message';
import type { Net } from '../../engine/net';
import { exportOnnx, importOnnx } from '../../engine/onnx';
import type { OnnxExport } from '../protocol';

/** The ONNX bytes of `net`, or why it cannot be written (a layer ONNX cannot express). */
export function onnxOf(net: Net, definitionText: string): OnnxExport {
  try {
    return { ok: true, bytes: exportOnnx(net, { definitionText }) };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}

/** The snapshot JSON text an ONNX model describes, or why it cannot be read. */
export function snapshotTextFromOnnx(bytes: Uint8Array): { ok: true; text: string } | { ok: false; error: string } {
  try {
    return { ok: true, text: JSON.stringify(importOnnx(bytes).snapshot) };
  } catch (error) {
    return { ok: false, error: `ONNX model: ${errorMessage(error)}` };
  }
}
