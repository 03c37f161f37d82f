import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../../src/data/node-loader';
import { TrainingSession, type SessionData } from '../../../src/training/session';
import { smallNetText } from '../helpers/small-net';

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

describe('loading a snapshot keeps the person’s text where it still describes the network', () => {
  const SMALL = smallNetText({ size: 24, depth: 1, filters: 4, sx: 5, pool: 3, classes: 10 });

  it('keeps the written text (no bias_pref appears) for a snapshot of the same network', () => {
    const s = session(8);
    expect(s.setNetwork(SMALL)).toEqual({ ok: true });
    const written = s.getNetworkSummary().definitionText;
    const other = session(9);
    expect(other.setNetwork(SMALL)).toEqual({ ok: true });
    other.trainExamples(50);
    expect(s.loadSnapshot(other.saveSnapshot())).toEqual({ ok: true });
    expect(s.getNetworkSummary().definitionText).toBe(written);
    expect(s.getNetworkSummary().definitionText).not.toContain('bias_pref');
    expect(s.saveSnapshot()).toBe(other.saveSnapshot());
  });

  it('writes the loaded network out when it differs from the text in force', () => {
    const s = session(10);
    const before = s.getNetworkSummary().definitionText;
    const other = session(11);
    expect(other.setNetwork(SMALL)).toEqual({ ok: true });
    expect(s.loadSnapshot(other.saveSnapshot())).toEqual({ ok: true });
    const after = s.getNetworkSummary().definitionText;
    expect(after).not.toBe(before);
    expect(after).toMatch(/filters:\s*4/);
  });
});
