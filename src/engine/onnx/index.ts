/** ONNX export and import: the network in force as a standard model, and back. */
export { exportOnnx, OnnxExportError, type OnnxExportOptions } from './export';
export { importOnnx, OnnxImportError, type ImportedOnnx } from './import';
export { describeMnistPreprocessing, DIGIT_CLASS_NAMES } from './metadata';
export { INPUT_NAME as ONNX_INPUT_NAME, OUTPUT_NAME as ONNX_OUTPUT_NAME } from './proto';
