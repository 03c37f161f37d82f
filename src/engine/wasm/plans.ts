/**
 * Slot numbers of the kernel plans, mirroring assembly/plan.ts (a unit test checks
 * that the two lists agree). A plan is a few i32 in the module's memory, written
 * once when a layer is built, so each kernel call passes one pointer.
 */

export const CONV = {
  IN_SX: 0,
  IN_SY: 1,
  IN_DEPTH: 2,
  OUT_SX: 3,
  OUT_SY: 4,
  FILTERS: 5,
  SX: 6,
  SY: 7,
  STRIDE: 8,
  PAD: 9,
  PAD_SX: 10,
  PAD_SY: 11,
  FILTERS4: 12,
  FAN_IN: 13,
  PADDED_IN: 14,
  PADDED_GRAD: 15,
  WEIGHTS_T: 16,
  OUT_SCRATCH: 17,
  NZ_WINDOW: 18,
  NZ_GRAD: 19,
  NZ_COUNT: 20,
  ACTIVE_W: 21,
  ACTIVE_G: 22,
  BIAS_SUM: 23,
  BIAS4: 24,
  WINO_PADDED: 25,
  WINO_U: 26,
  WINO_V: 27,
  WINO_M: 28,
  WINO_SCRATCH: 29,
  WINO_TILES_X: 30,
  WINO_TILES_Y: 31,
  WINO_DEPTH4: 32,
  SLOTS: 33,
} as const;

export const POOL = {
  IN_SX: 0,
  IN_SY: 1,
  DEPTH: 2,
  OUT_SX: 3,
  OUT_SY: 4,
  SX: 5,
  SY: 6,
  STRIDE: 7,
  PAD: 8,
  SLOTS: 9,
} as const;
