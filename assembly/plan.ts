/**
 * Kernel plans: a few i32 slots in linear memory, written once by the TypeScript side
 * (src/engine/wasm/plans.ts, which must list the same slots) when a layer is built.
 * A kernel call then passes one plan pointer instead of a dozen shape arguments.
 * Pointers in a plan are byte offsets into this module's memory.
 */

// Convolution.
export const CONV_IN_SX = 0;
export const CONV_IN_SY = 1;
export const CONV_IN_DEPTH = 2;
export const CONV_OUT_SX = 3;
export const CONV_OUT_SY = 4;
export const CONV_FILTERS = 5;
export const CONV_SX = 6;
export const CONV_SY = 7;
export const CONV_STRIDE = 8;
export const CONV_PAD = 9;
export const CONV_PAD_SX = 10;
export const CONV_PAD_SY = 11;
/** Filters rounded up to a multiple of 4: the row length of the transposed weights. */
export const CONV_FILTERS4 = 12;
/** sx * sy * inDepth. */
export const CONV_FAN_IN = 13;
/** The last forward input, zero-padded (padSx * padSy * inDepth floats). */
export const CONV_PADDED_IN = 14;
/** Input gradient in padded coordinates. */
export const CONV_PADDED_GRAD = 15;
/** Weights as [fanIn][filters4], zero columns past `filters`. */
export const CONV_WEIGHTS_T = 16;
/** Output rows of filters4 floats, when filters is not a multiple of 4 (else 0). */
export const CONV_OUT_SCRATCH = 17;
/** Per filter, the padded-input byte offsets of the windows with nonzero gradient ([filters][positions] i32). */
export const CONV_NZ_WINDOW = 18;
/** Their output gradients ([filters][positions] f32). */
export const CONV_NZ_GRAD = 19;
/** Per filter, how many (i32). */
export const CONV_NZ_COUNT = 20;
/** Per position scratch: byte offsets of the weights of the filters with nonzero gradient (i32, filters). */
export const CONV_ACTIVE_W = 21;
/** Their gradients (f32, filters). */
export const CONV_ACTIVE_G = 22;
/** Bias gradient sums (f64, filters). */
export const CONV_BIAS_SUM = 23;
/** Biases copied to filters4 floats, zero past `filters`. */
export const CONV_BIAS4 = 24;
/** Winograd F(4x4, 5x5) for inference (assembly/winograd.ts); 0 where the layer has no Winograd workspace. */
/** Its padded input: (4 * tilesY + 4) rows of (4 * tilesX + 4) pixels of depth4 channels, zero outside the input. */
export const CONV_WINO_PADDED = 25;
/** Transformed filters [64 points][inDepth][filters4]. */
export const CONV_WINO_U = 26;
/** Transformed input tiles of one block [64 points][TILE_BLOCK][depth4]. */
export const CONV_WINO_V = 27;
/** Their products summed over channels [64 points][TILE_BLOCK][filters4]. */
export const CONV_WINO_M = 28;
/** 64 f32x4 of scratch for the two-pass transforms (and G g, 8x5 float64, in winogradPrepare). */
export const CONV_WINO_SCRATCH = 29;
/** Output tiles across and down: ceil(outSx / 4), ceil(outSy / 4). */
export const CONV_WINO_TILES_X = 30;
export const CONV_WINO_TILES_Y = 31;
/** inDepth rounded up to a multiple of 4. */
export const CONV_WINO_DEPTH4 = 32;
// Winograd F(4, 5) along rows for inference (assembly/winograd-rows.ts); 0 where the layer has no such workspace.
/** Its padded input transposed: per channel, (4 * tiles + 4) columns of height4 rows, zero outside the input. */
export const CONV_ROWS_PADDED = 33;
/** Transformed filter rows [inDepth][filters4 / 4][8 points][5 rows][4 filters]. */
export const CONV_ROWS_U = 34;
/** Transformed input runs [inDepth][tiles][8 points][height4]. */
export const CONV_ROWS_V = 35;
/** Runs of 4 outputs across a row: ceil(outSx / 4). */
export const CONV_ROWS_TILES = 36;
/** Rows of the padded input and of V: 8 per group of 8 output rows (ROWS), and 4 more. */
export const CONV_ROWS_HEIGHT4 = 37;
/** 64 f32x4 of scratch: 8 points' sums for 8 output rows (ROWS). */
export const CONV_ROWS_SCRATCH = 38;
// Scattering the inputs off the background, for inference (assembly/conv-sparse.ts); 0 where the layer has no such workspace.
/** Per class of rows, each output's start: bias + each channel's background times E ([min(outSy, 2 pad + 1)][outSx][filters4]). */
export const CONV_SPARSE_RESPONSE = 39;
/** Filter rows with their taps reversed [sy][inDepth][sx][filters4]. */
export const CONV_SPARSE_W = 40;
/** The input's values off the background, listed (5 words each, at most inSx * inSy * inDepth). */
export const CONV_SPARSE_LIST = 41;
/** Per element of an input row (ix * inDepth + c): where its run starts in an output row and in a filter row, and its bytes (3 i32; shape only, made once by sparseLayout). */
export const CONV_SPARSE_COLUMNS = 42;
/** The most inputs off the background the route takes; past it a dense route is faster. */
export const CONV_SPARSE_LIMIT = 43;
/** Per channel, what a background of 1 gives each output, for each class of rows ([min(outSy, 2 pad + 1)][outSx][inDepth][filters4]): the taps inside the input, summed. */
export const CONV_SPARSE_EDGE = 44;
/** The input's first pixel repeated along a row (inSx * inDepth floats): each channel's background value. */
export const CONV_SPARSE_BACKGROUND = 45;
export const CONV_SLOTS = 46;

// Max pooling.
export const POOL_IN_SX = 0;
export const POOL_IN_SY = 1;
export const POOL_DEPTH = 2;
export const POOL_OUT_SX = 3;
export const POOL_OUT_SY = 4;
export const POOL_SX = 5;
export const POOL_SY = 6;
export const POOL_STRIDE = 7;
export const POOL_PAD = 8;
export const POOL_SLOTS = 9;

@inline
export function slot(plan: usize, index: i32): i32 {
  return load<i32>(plan + (<usize>index << 2));
}
