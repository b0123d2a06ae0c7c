// Float kernels for the Trainer's element-wise work (softmax, cross-entropy, SwiGLU) with a vectorisable exp.
// Each function works on a range so the Swift side can split it across threads; AVX2+FMA when the CPU has it
// (runtime dispatch), plain C otherwise. The Double path (gradient checks) stays in Swift.
#pragma once
#include <stdint.h>

/// exp(x) to ~2 ulp for |x| < 87 (clamped outside), element-wise, in place allowed.
void lt_exp_f32(const float *x, float *out, int64_t n);

/// Causal softmax of rows [row0, row1) of a T×T score matrix, in place: row i over columns 0...i,
/// columns after i set to 0.
void lt_softmax_causal_f32(float *p, int64_t T, int64_t row0, int64_t row1);

/// Backward of the causal softmax for rows [row0, row1): dp ← p ⊙ (dp − Σ_j p_j dp_j) · scale over
/// columns 0...i, 0 after.
void lt_softmax_causal_backward_f32(const float *p, float *dp, int64_t T, float scale, int64_t row0, int64_t row1);

/// Softmax over each of `rows` rows of V logits, in place (probabilities), and the loss −log p[target] per
/// row into losses (0 where target < 0).
void lt_cross_entropy_f32(float *logits, const int32_t *targets, int64_t rows, int64_t V, float *losses);

/// out = silu(gate) ⊙ up.
void lt_swiglu_f32(const float *gate, const float *up, float *out, int64_t n);

/// dup = dout ⊙ silu(g); dgate = dout ⊙ up ⊙ σ(g) · (1 + g · (1 − σ(g))).
void lt_swiglu_backward_f32(const float *dout, const float *gate, const float *up, float *dgate, float *dup,
                            int64_t n);
