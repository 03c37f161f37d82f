/**
 * A real session checkpoint without MNIST: a session on empty data (it never trains) with
 * a tiny network, its examples count set to what the test needs.
 */
import type { SessionCheckpoint } from '../../../src/training/checkpoint';
import { TrainingSession } from '../../../src/training/session';

const TINY_NETWORK = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'pool', sx:4, stride:4});
layer_defs.push({type:'softmax', num_classes:10});
trainer = new convnetjs.SGDTrainer(net, {method:'adadelta', batch_size:4});
`;

const EMPTY = { count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) };

export async function tinyCheckpoint(examples = 0, seed = 3): Promise<SessionCheckpoint> {
  const session = new TrainingSession({ train: EMPTY, test: EMPTY, trainTotal: 0 }, { seed, definitionText: TINY_NETWORK, schedule: () => {} });
  const checkpoint = await session.exportCheckpoint();
  return { ...checkpoint, examples, trainerState: { ...checkpoint.trainerState, k: examples } };
}
