// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3" (SC'11), as in Random123 and cuRAND. Stateless: the output is a pure function of
// (counter, key), so a CUDA kernel and this CPU code draw the same numbers for the same inputs.
//
// Verdict keys the sampler's draws by (seed, group, sample, position) — see SamplerRandom — so a
// sample's tokens never depend on its batch slot, the batch size, or the order of the batch.
#ifndef VERDICT_ROLLOUT_PHILOX_H_
#define VERDICT_ROLLOUT_PHILOX_H_

#include <array>
#include <cstdint>

namespace verdict::rollout {

using PhiloxCounter = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;

// Ten rounds of Philox4x32 (multipliers 0xD2511F53, 0xCD9E8D57; Weyl key increments
// 0x9E3779B9, 0xBB67AE85). Matches Random123's philox4x32_R(10, ctr, key).
PhiloxCounter Philox4x32x10(PhiloxCounter counter, PhiloxKey key);

// The uniform number the sampler draws for one token, in [0, 1) with 24 random bits:
//   key     = {seed low 32 bits, seed high 32 bits}
//   counter = {position, sample, group low 32 bits, group high 32 bits}
//   u       = (Philox4x32x10(counter, key)[0] >> 8) * 2^-24
// `position` is the index of the generated token within the completion (0 = first new token).
// Exactly representable as float, so CPU and GPU see the same u.
float SamplerUniform(uint64_t seed, uint64_t group, uint32_t sample, uint32_t position);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_PHILOX_H_
