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
  // One loop per rule, the rule a constant in each, and whole pairs apart from a range's
  // odd last parameter: V8 then keeps only that rule's numbers in registers and tests
  // nothing per parameter (the seed network's adadelta update: 51 -> 39-41 us).
  if (rule == VANILLA) updateWith(VANILLA, p, g, gsum, xsum, ranges, rangeCount, h);
  else if (rule == MOMENTUM) updateWith(MOMENTUM, p, g, gsum, xsum, ranges, rangeCount, h);
  else if (rule == NESTEROV) updateWith(NESTEROV, p, g, gsum, xsum, ranges, rangeCount, h);
  else if (rule == ADAGRAD) updateWith(ADAGRAD, p, g, gsum, xsum, ranges, rangeCount, h);
  else if (rule == WINDOWGRAD) updateWith(WINDOWGRAD, p, g, gsum, xsum, ranges, rangeCount, h);
  else if (rule == ADADELTA) updateWith(ADADELTA, p, g, gsum, xsum, ranges, rangeCount, h);
  else updateWith(ADAM, p, g, gsum, xsum, ranges, rangeCount, h);
}

@inline
function updateWith(rule: i32, p: usize, g: usize, gsum: usize, xsum: usize, ranges: usize, rangeCount: i32, h: usize): void {
  // Decay losses as [l2, l1], each lane summed in parameter order as the TypeScript loop sums.
  let losses = f64x2.splat(0);
  for (let r = 0; r < rangeCount; r++) {
    const q = ranges + (<usize>r << 5);
    const start = <i32>load<f64>(q);
    const end = <i32>load<f64>(q, 8);
    const l1 = f64x2.splat(hyper(h, L1_DECAY) * load<f64>(q, 16));
    const l2 = f64x2.splat(hyper(h, L2_DECAY) * load<f64>(q, 24));
    let j = start;
    for (; j + 1 < end; j += 2) losses = updatePair(rule, true, <usize>j << 2, p, g, gsum, xsum, h, l1, l2, losses);
    if (j < end) losses = updatePair(rule, false, <usize>j << 2, p, g, gsum, xsum, h, l1, l2, losses);
  }
  store<f64>(h + (<usize>L2_LOSS << 3), f64x2.extract_lane(losses, 0));
  store<f64>(h + (<usize>L1_LOSS << 3), f64x2.extract_lane(losses, 1));
}

/**
 * Parameters at byte offset `at` (two, or one when `pair` is false): updated in place,
 * their gradients cleared; returns `losses` with their decay losses added.
 */
@inline
function updatePair(rule: i32, pair: bool, at: usize, p: usize, g: usize, gsum: usize, xsum: usize, h: usize, l1: v128, l2: v128, losses: v128): v128 {
  const lr = f64x2.splat(hyper(h, LR));
  const eps = f64x2.splat(hyper(h, EPS));
  const ro = hyper(h, RO);
  const mom = hyper(h, MOMENTUM_COEF);
  const pj = loadPair(p + at, pair);
  // x / 2 and x * 0.5 round the same exact value, so the bits are the TypeScript loop's.
  const sq = f64x2.mul(f64x2.mul(f64x2.mul(l2, pj), pj), f64x2.splat(0.5));
  const ab = f64x2.mul(l1, f64x2.abs(pj));
  losses = f64x2.add(losses, v128.shuffle<f64>(sq, ab, 0, 2));
  if (pair) losses = f64x2.add(losses, v128.shuffle<f64>(sq, ab, 1, 3));
  // sign(0) is -1, as in ConvNetJS.
  const sign = v128.bitselect(f64x2.splat(1), f64x2.splat(-1), f64x2.gt(pj, f64x2.splat(0)));
  const gij = f64x2.div(f64x2.add(f64x2.add(f64x2.mul(l2, pj), f64x2.mul(l1, sign)), loadPair(g + at, pair)), f64x2.splat(hyper(h, DIVISOR)));
  let dx: v128;
  if (rule == VANILLA) {
    dx = f64x2.mul(f64x2.neg(lr), gij);
  } else if (rule == MOMENTUM) {
    dx = f64x2.sub(f64x2.mul(f64x2.splat(mom), loadPair(gsum + at, pair)), f64x2.mul(lr, gij));
    storePair(gsum + at, dx, pair);
  } else if (rule == NESTEROV) {
    const previous = loadPair(gsum + at, pair);
    const velocity = f64x2.add(f64x2.mul(previous, f64x2.splat(mom)), f64x2.mul(lr, gij));
    storePair(gsum + at, velocity, pair);
    dx = f64x2.sub(f64x2.mul(f64x2.splat(mom), previous), f64x2.mul(f64x2.splat(1 + mom), velocity));
  } else if (rule == ADAGRAD) {
    const s = f64x2.add(loadPair(gsum + at, pair), f64x2.mul(gij, gij));
    storePair(gsum + at, s, pair);
    dx = f64x2.mul(f64x2.div(f64x2.neg(lr), f64x2.sqrt(f64x2.add(s, eps))), gij);
  } else if (rule == WINDOWGRAD) {
    const s = f64x2.add(f64x2.mul(f64x2.splat(ro), loadPair(gsum + at, pair)), f64x2.mul(f64x2.mul(f64x2.splat(1 - ro), gij), gij));
    storePair(gsum + at, s, pair);
    dx = f64x2.mul(f64x2.div(f64x2.neg(lr), f64x2.sqrt(f64x2.add(s, eps))), gij);
  } else if (rule == ADADELTA) {
    const s = f64x2.add(f64x2.mul(f64x2.splat(ro), loadPair(gsum + at, pair)), f64x2.mul(f64x2.mul(f64x2.splat(1 - ro), gij), gij));
    storePair(gsum + at, s, pair);
    // xsum lags gsum by one update, as in ConvNetJS.
    const xs = loadPair(xsum + at, pair);
    dx = f64x2.mul(f64x2.neg(f64x2.sqrt(f64x2.div(f64x2.add(xs, eps), f64x2.add(s, eps)))), gij);
    storePair(xsum + at, f64x2.add(f64x2.mul(f64x2.splat(ro), xs), f64x2.mul(f64x2.mul(f64x2.splat(1 - ro), dx), dx)), pair);
  } else {
    // ADAM
    const beta1 = hyper(h, BETA1);
    const beta2 = hyper(h, BETA2);
    const m = f64x2.add(f64x2.mul(loadPair(gsum + at, pair), f64x2.splat(beta1)), f64x2.mul(f64x2.splat(1 - beta1), gij));
    const v = f64x2.add(f64x2.mul(loadPair(xsum + at, pair), f64x2.splat(beta2)), f64x2.mul(f64x2.mul(f64x2.splat(1 - beta2), gij), gij));
    storePair(gsum + at, m, pair);
    storePair(xsum + at, v, pair);
    dx = f64x2.div(f64x2.mul(f64x2.neg(lr), f64x2.mul(m, f64x2.splat(hyper(h, CORR1)))), f64x2.add(f64x2.sqrt(f64x2.mul(v, f64x2.splat(hyper(h, CORR2)))), eps));
  }
  storePair(p + at, f64x2.add(pj, dx), pair);
  storePair(g + at, f64x2.splat(0), pair);
  return losses;
}
