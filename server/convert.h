// The one place that maps between the wire contract (verdict.v1) and the domain types of
// rewards/. Used by the gRPC service and by the CLI, so both score the same thing the same way.
#ifndef VERDICT_SERVER_CONVERT_H_
#define VERDICT_SERVER_CONVERT_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rewards/types.h"
#include "verdict/v1/verdict.pb.h"

namespace verdict {

// Applies the fields `override` sets on top of `base`, then checks the result with ValidateSpec
// (rewards/spec.h, where every value rule lives). INVALID_ARGUMENT names the first field with a
// bad value (an unknown enum value here; a non-finite weight, a negative epsilon there).
absl::StatusOr<RewardSpec> ResolveSpec(const RewardSpec& base, const v1::RewardSpec& override);

// Every field set, for GetInfo and GroupResult.effective_spec.
v1::RewardSpec SpecToProto(const RewardSpec& spec);

// Copies a wire group into a domain group, resolving its spec on top of `inherited`. A group
// whose own spec is invalid is an INVALID_ARGUMENT error naming the group.
absl::Status GroupFromProto(const v1::Group& in, const RewardSpec& inherited, Group* out);
// The same, but the completion texts (most of a request's bytes) are moved out of `*in`, left
// empty, instead of copied: no allocation and copy per completion.
absl::Status TakeGroupFromProto(v1::Group* in, const RewardSpec& inherited, Group* out);

// What a caller asked of a result's wire form (ScoreRequest's result options).
struct ResultForm {
  // false leaves `effective_spec` unset (ScoreRequest.omit_effective_spec). Default true.
  bool with_spec = true;
  // true sends components as SampleResult.component_ids/values instead of the map
  // (ScoreRequest.packed_components). Default false.
  bool packed_components = false;
};

// The form a request asks for.
ResultForm ResultFormOf(const v1::ScoreRequest& request);

// Moves a domain result onto the wire (strings are moved out of `in`).
void GroupResultToProto(GroupResult&& in, v1::GroupResult* out, ResultForm form = {});

// Appends `in` to `*out` as one element of ScoreResponse.groups on the wire (field 1: tag,
// length, the v1::GroupResult's bytes), the bytes that GroupResultToProto and serialising the
// message give (map entries aside, whose order protobuf leaves open), without building the
// message: for the gRPC Score reply the message was only an intermediate, building and
// serialising it ~15% of the server's instructions (#16). Groups in a form this writer does not
// cover (errors, code or instruction details, the effective spec, the components map) go
// through the message.
void AppendGroupResultWire(GroupResult&& in, ResultForm form, std::string* out);

// A group result that carries only an error (the group was not scored).
void ErrorGroupResult(const std::string& group_id, const absl::Status& status,
                      v1::GroupResult* out);

v1::Verdict VerdictToProto(Verdict verdict);

// Component <-> verdict.v1.Component. An id that names no Component (COMPONENT_UNSPECIFIED, or
// one added by a newer server) gives nullopt.
v1::Component ComponentToProto(Component component);
std::optional<Component> ComponentFromProto(int id);

}  // namespace verdict

#endif  // VERDICT_SERVER_CONVERT_H_
