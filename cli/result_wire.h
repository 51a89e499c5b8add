// Reading a ScoreResponse's wire bytes straight into the views the output is written from
// (cli/result_json.h), without parsing the hot messages: for --server, parsing the response
// (UTF-8 checks, a string object per field, message objects) was the largest client-side cost.
#ifndef VERDICT_CLI_RESULT_WIRE_H_
#define VERDICT_CLI_RESULT_WIRE_H_

#include <string_view>
#include <vector>

#include "cli/result_json.h"
#include "google/protobuf/arena.h"

namespace verdict::cli {

// Fills `groups` from `bytes` (a serialised v1::ScoreResponse); the views point into `bytes`
// and into sub-messages (errors, stats, code/instruction/language details) parsed on `arena`.
// Returns false, leaving `groups` unspecified, for anything this reader does not render
// exactly as the message parser and writer would: a field it does not know (a newer server),
// the components map of an older server, an unpacked list, a singular message sent twice,
// invalid UTF-8, a component id this build does not know, malformed bytes. The caller then
// parses the message, which reports or prints those as it always did.
bool ReadScoreResponse(std::string_view bytes, google::protobuf::Arena* arena,
                       std::vector<GroupView>* groups);

}  // namespace verdict::cli

#endif  // VERDICT_CLI_RESULT_WIRE_H_
