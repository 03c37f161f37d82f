/**
 * The trainer's parameter update, fused into one pass over all parameters (see
 * Trainer.update in src/engine/trainer.ts, which this must mirror operation for
 * operation). It runs in float64, two parameters per f64x2, with every operation
 * in the TypeScript order: IEEE arithmetic and square roots are correctly rounded
 * in both, so the parameters come out bit for bit the same as the TypeScript
 * update's, and the decay losses are summed in the same sequential order.
 */

// Rules, as Trainer numbers them.
const VANILLA = 0;
const MOMENTUM = 1;
const NESTEROV = 2;
const ADAGRAD = 3;
const WINDOWGRAD = 4;
const ADADELTA = 5;
const ADAM = 6;

// f64 slots of the hyperparameter block.
const LR = 0;
const MOMENTUM_COEF = 1;
const RO = 2;
const EPS = 3;
const BETA1 = 4;
const BETA2 = 5;
const CORR1 = 6;
const CORR2 = 7;
const DIVISOR = 8;
const L1_DECAY = 9;
const L2_DECAY = 10;
/** Outputs: the decay losses before the update. */
const L2_LOSS = 11;
const L1_LOSS = 12;

@inline
function hyper(h: usize, slot: i32): f64 {
  return load<f64>(h + (<usize>slot << 3));
}

@inline
function loadPair(ptr: usize, pair: bool): v128 {
  return f64x2.promote_low_f32x4(pair ? v128.load64_zero(ptr) : v128.load32_zero(ptr));
}

@inline
function storePair(ptr: usize, v: v128, pair: bool): void {
  const f = f32x4.demote_f64x2_zero(v);
  if (pair) v128.store64_lane(ptr, f, 0);
  else v128.store32_lane(ptr, f, 0);
}

/**
 * One update of params p with gradient sums g (cleared afterwards) and the
 * accumulators gsum, xsum (0 when the rule has none). `ranges` holds rangeCount
 * quadruples of f64: start, end, l1DecayMul, l2DecayMul.
 */
export function paramUpdate(rule: i32, p: usize, g: usize, gsum: usize, xsum: usize, ranges: usize, rangeCount: i32, h: usize): void {
  const lr = f64x2.splat(hyper(h, LR));
  const negLr = f64x2.splat(-hyper(h, LR));
  const mom = f64x2.splat(hyper(h, MOMENTUM_COEF));
  const onePlusMom = f64x2.splat(1 + hyper(h, MOMENTUM_COEF));
  const ro = f64x2.splat(hyper(h, RO));
  const oneMinusRo = f64x2.splat(1 - hyper(h, RO));
  const eps = f64x2.splat(hyper(h, EPS));
  const beta1 = f64x2.splat(hyper(h, BETA1));
  const oneMinusBeta1 = f64x2.splat(1 - hyper(h, BETA1));
  const beta2 = f64x2.splat(hyper(h, BETA2));
  const oneMinusBeta2 = f64x2.splat(1 - hyper(h, BETA2));
  const corr1 = f64x2.splat(hyper(h, CORR1));
  const corr2 = f64x2.splat(hyper(h, CORR2));
  const divisor = f64x2.splat(hyper(h, DIVISOR));
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1);
  const minusOne = f64x2.splat(-1);
  const two = f64x2.splat(2);
  let l2Loss: f64 = 0;
  let l1Loss: f64 = 0;
  for (let r = 0; r < rangeCount; r++) {
    const q = ranges + (<usize>r << 5);
    const start = <i32>load<f64>(q);
    const end = <i32>load<f64>(q, 8);
    const l1s = hyper(h, L1_DECAY) * load<f64>(q, 16);
    const l2s = hyper(h, L2_DECAY) * load<f64>(q, 24);
    const l1 = f64x2.splat(l1s);
    const l2 = f64x2.splat(l2s);
    for (let j = start; j < end; j += 2) {
      const pair = j + 1 < end;
      const at = <usize>j << 2;
      const pj = loadPair(p + at, pair);
      // Decay losses, summed lane by lane in parameter order.
      const sq = f64x2.div(f64x2.mul(f64x2.mul(l2, pj), pj), two);
      const ab = f64x2.mul(l1, f64x2.abs(pj));
      l2Loss += f64x2.extract_lane(sq, 0);
      l1Loss += f64x2.extract_lane(ab, 0);
      if (pair) {
        l2Loss += f64x2.extract_lane(sq, 1);
        l1Loss += f64x2.extract_lane(ab, 1);
      }
      // sign(0) is -1, as in ConvNetJS.
      const sign = v128.bitselect(one, minusOne, f64x2.gt(pj, zero));
      const gij = f64x2.div(f64x2.add(f64x2.add(f64x2.mul(l2, pj), f64x2.mul(l1, sign)), loadPair(g + at, pair)), divisor);
      let dx: v128;
      if (rule == VANILLA) {
        dx = f64x2.mul(negLr, gij);
      } else if (rule == MOMENTUM) {
        dx = f64x2.sub(f64x2.mul(mom, loadPair(gsum + at, pair)), f64x2.mul(lr, gij));
        storePair(gsum + at, dx, pair);
      } else if (rule == NESTEROV) {
        const previous = loadPair(gsum + at, pair);
        const velocity = f64x2.add(f64x2.mul(previous, mom), f64x2.mul(lr, gij));
        storePair(gsum + at, velocity, pair);
        dx = f64x2.sub(f64x2.mul(mom, previous), f64x2.mul(onePlusMom, velocity));
      } else if (rule == ADAGRAD) {
        const s = f64x2.add(loadPair(gsum + at, pair), f64x2.mul(gij, gij));
        storePair(gsum + at, s, pair);
        dx = f64x2.mul(f64x2.div(negLr, f64x2.sqrt(f64x2.add(s, eps))), gij);
      } else if (rule == WINDOWGRAD) {
        const s = f64x2.add(f64x2.mul(ro, loadPair(gsum + at, pair)), f64x2.mul(f64x2.mul(oneMinusRo, gij), gij));
        storePair(gsum + at, s, pair);
        dx = f64x2.mul(f64x2.div(negLr, f64x2.sqrt(f64x2.add(s, eps))), gij);
      } else if (rule == ADADELTA) {
        const s = f64x2.add(f64x2.mul(ro, loadPair(gsum + at, pair)), f64x2.mul(f64x2.mul(oneMinusRo, gij), gij));
        storePair(gsum + at, s, pair);
        // xsum lags gsum by one update, as in ConvNetJS.
        const xs = loadPair(xsum + at, pair);
        dx = f64x2.mul(f64x2.neg(f64x2.sqrt(f64x2.div(f64x2.add(xs, eps), f64x2.add(s, eps)))), gij);
        storePair(xsum + at, f64x2.add(f64x2.mul(ro, xs), f64x2.mul(f64x2.mul(oneMinusRo, dx), dx)), pair);
      } else {
        // ADAM
        const m = f64x2.add(f64x2.mul(loadPair(gsum + at, pair), beta1), f64x2.mul(oneMinusBeta1, gij));
        const v = f64x2.add(f64x2.mul(loadPair(xsum + at, pair), beta2), f64x2.mul(f64x2.mul(oneMinusBeta2, gij), gij));
        storePair(gsum + at, m, pair);
        storePair(xsum + at, v, pair);
        dx = f64x2.div(f64x2.mul(negLr, f64x2.mul(m, corr1)), f64x2.add(f64x2.sqrt(f64x2.mul(v, corr2)), eps));
      }
      storePair(p + at, f64x2.add(pj, dx), pair);
      storePair(g + at, zero, pair);
    }
  }
  store<f64>(h + (<usize>L2_LOSS << 3), l2Loss);
  store<f64>(h + (<usize>L1_LOSS << 3), l1Loss);
}
