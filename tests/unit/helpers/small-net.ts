/**
 * The small network the tests train in moments, as ConvNetJS definition text: input, one
 * conv layer with relu, one pool, a softmax. Tests vary the numbers, not the shape of the text.
 */
export interface SmallNetOptions {
  size: number;
  depth: number;
  filters: number;
  /** Filter size; pad keeps the size ((sx - 1) / 2). */
  sx: number;
  pool: number;
  classes: number;
  /** The trainer object's text, e.g. "{method:'adadelta', batch_size:4}"; none: the default trainer. */
  trainer?: string;
}

export function smallNetText({ size, depth, filters, sx, pool, classes, trainer }: SmallNetOptions): string {
  return (
    `layer_defs = [];\n` +
    `layer_defs.push({type:'input', out_sx:${size}, out_sy:${size}, out_depth:${depth}});\n` +
    `layer_defs.push({type:'conv', sx:${sx}, filters:${filters}, stride:1, pad:${(sx - 1) / 2}, activation:'relu'});\n` +
    `layer_defs.push({type:'pool', sx:${pool}, stride:${pool}});\n` +
    `layer_defs.push({type:'softmax', num_classes:${classes}});\n` +
    (trainer ? `trainer = new convnetjs.SGDTrainer(net, ${trainer});\n` : '')
  );
}
