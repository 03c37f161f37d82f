import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../../src/data/node-loader';
import { TrainingSession, type SessionData } from '../../../src/training/session';

let data: SessionData;

beforeAll(() => {
  const mnist = loadMnist();
  data = { train: mnist.train, test: mnist.test, trainTotal: mnist.train.count };
});

function session(seed: number): TrainingSession {
  return new TrainingSession(data, { seed, schedule: () => {} });
}

describe('the session speaks ONNX', () => {
  it('exports the trained network and loads it back into another run with the same weights', () => {
    const trained = session(3);
    trained.trainExamples(200);
    const exported = trained.saveOnnx();
    if (!exported.ok) throw new Error(exported.error);
    expect(exported.bytes[0]).toBe(0x08); // ModelProto field 1 (ir_version), a varint

    const other = session(4);
    expect(other.saveSnapshot()).not.toBe(trained.saveSnapshot());
    expect(other.loadOnnx(exported.bytes)).toEqual({ ok: true });
    expect(JSON.parse(other.saveSnapshot())).toEqual(JSON.parse(trained.saveSnapshot()));
    // The imported network trains on.
    expect(() => other.trainExamples(20)).not.toThrow();
  });

  it('refuses bytes that are not an ONNX model and keeps the network it had', () => {
    const s = session(5);
    const before = s.saveSnapshot();
    const result = s.loadOnnx(new Uint8Array([0x7b, 0x22, 0x01, 0xff, 0x13]));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^ONNX model: /);
    expect(s.saveSnapshot()).toBe(before);
  });
});
