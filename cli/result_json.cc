#include "cli/result_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/json.h"
#include "rewards/component.h"
#include "server/convert.h"

namespace verdict::cli {
namespace {

void Key(std::string_view key, std::string* out) {
  AppendJsonString(key, out);
  out->push_back(':');
}

void Str(std::string_view key, std::string_view value, std::string* out) {
  Key(key, out);
  AppendJsonString(value, out);
}

void Int(std::string_view key, int64_t value, std::string* out) {
  Key(key, out);
  out->append(std::to_string(value));
}

void Bool(std::string_view key, bool value, std::string* out) {
  Key(key, out);
  out->append(value ? "true" : "false");
}

void Num(std::string_view key, double value, std::string* out) {
  Key(key, out);
  AppendNumber(value, out);
}

// "instructions": {"followed", "total", "loose", "constraints": [{"id", "followed", "detail"}]}.
void AppendInstructionsJson(const v1::InstructionDetails& d, std::string* out) {
  Key("instructions", out);
  out->push_back('{');
  Int("followed", d.followed(), out);
  out->push_back(',');
  Int("total", d.total(), out);
  out->push_back(',');
  Bool("loose", d.loose(), out);
  out->push_back(',');
  Key("constraints", out);
  out->push_back('[');
  for (int i = 0; i < d.constraints_size(); ++i) {
    const v1::InstructionDetails::Outcome& o = d.constraints(i);
    if (i) out->push_back(',');
    out->push_back('{');
    Str("id", o.id(), out);
    out->push_back(',');
    Bool("followed", o.followed(), out);
    out->push_back(',');
    Str("detail", o.detail(), out);
    out->push_back('}');
  }
  out->push_back(']');
  out->push_back('}');
}

// "code": {"passed", "total", "compile_cache_hit", ["compile_output",] "tests": [...]}: which
// tests passed and how the others failed, so a dataset scored offline says why as the server does.
void AppendCodeJson(const v1::CodeDetails& c, std::string* out) {
  Key("code", out);
  out->push_back('{');
  Int("passed", c.passed(), out);
  out->push_back(',');
  Int("total", c.total(), out);
  out->push_back(',');
  Bool("compile_cache_hit", c.compile_cache_hit(), out);
  if (!c.compile_output().empty()) {
    out->push_back(',');
    Str("compile_output", c.compile_output(), out);
  }
  out->push_back(',');
  Key("tests", out);
  out->push_back('[');
  for (int i = 0; i < c.tests_size(); ++i) {
    const v1::CodeDetails::Test& t = c.tests(i);
    if (i) out->push_back(',');
    out->push_back('{');
    Int("index", t.index(), out);
    out->push_back(',');
    Bool("passed", t.passed(), out);
    out->push_back(',');
    Bool("skipped", t.skipped(), out);
    out->push_back(',');
    Str("verdict", v1::Verdict_Name(t.verdict()), out);
    out->push_back(',');
    Num("wall_ms", t.wall_ms(), out);
    out->push_back(',');
    Int("cpu_ms", t.cpu_ms(), out);
    out->push_back(',');
    Int("peak_memory_bytes", t.peak_memory_bytes(), out);
    out->push_back(',');
    Str("message", t.message(), out);
    out->push_back('}');
  }
  out->push_back(']');
  out->push_back('}');
}

}  // namespace

std::string_view VerdictName(v1::Verdict verdict) {
  const std::string& name = v1::Verdict_Name(verdict);
  return name;
}

void AppendNumber(double value, std::string* out) {
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, end);
}

void ComponentsOf(const v1::SampleResult& s, NamedComponents* out) {
  out->clear();
  out->reserve(static_cast<size_t>(s.components_size() + s.component_ids_size()));
  for (const auto& [name, value] : s.components()) out->emplace_back(name, value);
  const int packed = std::min(s.component_ids_size(), s.component_values_size());
  for (int i = 0; i < packed; ++i) {
    std::optional<Component> c = ComponentFromProto(s.component_ids(i));
    if (c) out->emplace_back(ComponentName(*c), s.component_values(i));
  }
  std::sort(out->begin(), out->end());
}

absl::Status KnownPackedComponents(const v1::ScoreResponse& response) {
  for (const v1::GroupResult& g : response.groups()) {
    for (int i = 0; i < g.samples_size(); ++i) {
      const v1::SampleResult& s = g.samples(i);
      if (s.component_ids_size() != s.component_values_size()) {
        return absl::InternalError(absl::StrCat("group '", g.group_id(), "' sample ", i, ": ",
                                                s.component_ids_size(), " component ids but ",
                                                s.component_values_size(), " values"));
      }
      for (int id : s.component_ids()) {
        if (!ComponentFromProto(id)) {
          return absl::InternalError(absl::StrCat("group '", g.group_id(), "' sample ", i,
                                                  ": unknown component id ", id,
                                                  " (a newer server? use one of this version)"));
        }
      }
    }
  }
  return absl::OkStatus();
}

void AppendErrorJson(int code, std::string_view message, std::string* out) {
  out->push_back('{');
  Int("code", code, out);
  out->push_back(',');
  Str("message", message, out);
  out->push_back('}');
}

void SampleViewOf(const v1::SampleResult& s, SampleView* out) {
  out->reward = s.reward();
  out->advantage = s.advantage();
  out->verdict = s.verdict();
  out->reason = s.reason();
  ComponentsOf(s, &out->components);
  out->length = s.length();
  out->truncated = s.truncated();
  out->error = s.has_error() ? &s.error() : nullptr;
  out->math.reset();
  if (s.has_math()) {
    out->math = MathView{.extracted = s.math().extracted(),
                         .source = s.math().source(),
                         .canonical = s.math().canonical(),
                         .matched_gold = s.math().matched_gold()};
  }
  out->format.reset();
  if (s.has_format()) {
    out->format = FormatView{.ok = s.format().ok(),
                             .template_name = s.format().template_(),
                             .problem = s.format().problem(),
                             .think_prefilled = s.format().think_prefilled()};
  }
  out->code = s.has_code() ? &s.code() : nullptr;
  out->instructions = s.has_instructions() ? &s.instructions() : nullptr;
  out->language = s.has_language() ? &s.language() : nullptr;
}

void GroupViewOf(const v1::GroupResult& g, GroupView* out) {
  out->group_id = g.group_id();
  out->error = g.has_error() ? &g.error() : nullptr;
  out->samples.resize(static_cast<size_t>(g.samples_size()));
  for (int i = 0; i < g.samples_size(); ++i) {
    SampleViewOf(g.samples(i), &out->samples[static_cast<size_t>(i)]);
  }
  out->stats = &g.stats();
}

void AppendSampleJson(const SampleView& s, std::string* out) {
  out->push_back('{');
  Num("reward", s.reward, out);
  out->push_back(',');
  Num("advantage", s.advantage, out);
  out->push_back(',');
  Str("verdict", VerdictName(static_cast<v1::Verdict>(s.verdict)), out);
  out->push_back(',');
  Str("reason", s.reason, out);
  out->push_back(',');
  Key("components", out);
  out->push_back('{');
  for (size_t i = 0; i < s.components.size(); ++i) {
    if (i) out->push_back(',');
    Num(s.components[i].first, s.components[i].second, out);
  }
  out->push_back('}');
  if (s.error == nullptr) {
    out->push_back(',');
    Int("length", s.length, out);
    out->push_back(',');
    Bool("truncated", s.truncated, out);
  } else {
    out->push_back(',');
    Key("error", out);
    AppendErrorJson(s.error->code(), s.error->message(), out);
  }
  if (s.math) {
    out->push_back(',');
    Key("math", out);
    out->push_back('{');
    Str("extracted", s.math->extracted, out);
    out->push_back(',');
    Str("source", s.math->source, out);
    out->push_back(',');
    Str("canonical", s.math->canonical, out);
    out->push_back(',');
    Int("matched_gold", s.math->matched_gold, out);
    out->push_back('}');
  }
  if (s.code != nullptr) {
    out->push_back(',');
    AppendCodeJson(*s.code, out);
  }
  if (s.instructions != nullptr) {
    out->push_back(',');
    AppendInstructionsJson(*s.instructions, out);
  }
  if (s.language != nullptr) {
    out->push_back(',');
    Key("language", out);
    out->push_back('{');
    Str("target", s.language->target(), out);
    out->push_back(',');
    Int("words", s.language->words(), out);
    out->push_back(',');
    Int("target_words", s.language->target_words(), out);
    out->push_back('}');
  }
  if (s.format) {
    out->push_back(',');
    Key("format", out);
    out->push_back('{');
    Bool("ok", s.format->ok, out);
    out->push_back(',');
    Str("template", s.format->template_name, out);
    out->push_back(',');
    Str("problem", s.format->problem, out);
    out->push_back(',');
    Bool("think_prefilled", s.format->think_prefilled, out);
    out->push_back('}');
  }
  out->push_back('}');
}

void AppendSampleJson(const v1::SampleResult& s, std::string* out) {
  SampleView view;
  SampleViewOf(s, &view);
  AppendSampleJson(view, out);
}

void AppendStatsJson(const v1::GroupStats& st, std::string* out) {
  out->push_back('{');
  Num("mean", st.mean(), out);
  out->push_back(',');
  Num("std", st.std(), out);
  out->push_back(',');
  Bool("zero_variance", st.zero_variance(), out);
  out->push_back(',');
  Int("num_samples", st.num_samples(), out);
  out->push_back(',');
  Int("num_correct", st.num_correct(), out);
  out->push_back(',');
  Int("num_format_ok", st.num_format_ok(), out);
  out->push_back(',');
  Int("num_errors", st.num_errors(), out);
  out->push_back(',');
  Int("num_undecided", st.num_undecided(), out);
  out->push_back(',');
  Str("length_unit", st.length_unit(), out);
  if (st.has_majority()) {
    out->append(",\"majority\":{");
    Str("answer", st.majority().answer(), out);
    out->push_back(',');
    Int("count", st.majority().count(), out);
    out->push_back(',');
    Bool("correct", st.majority().correct(), out);
    out->push_back(',');
    Int("clusters", st.majority().clusters(), out);
    out->push_back('}');
  }
  if (!st.pass_at_k().empty()) {
    std::vector<std::pair<int, double>> pk(st.pass_at_k().begin(), st.pass_at_k().end());
    std::sort(pk.begin(), pk.end());
    out->append(",\"pass_at_k\":{");
    for (size_t i = 0; i < pk.size(); ++i) {
      if (i) out->push_back(',');
      Num(std::to_string(pk[i].first), pk[i].second, out);
    }
    out->push_back('}');
  }
  out->push_back('}');
}

void AppendGroupResultJson(const GroupView& g, std::string* out) {
  out->push_back('{');
  Str("group_id", g.group_id, out);
  if (g.error != nullptr) {
    out->push_back(',');
    Key("error", out);
    AppendErrorJson(g.error->code(), g.error->message(), out);
    out->push_back('}');
    return;
  }
  out->push_back(',');
  Key("samples", out);
  out->push_back('[');
  for (size_t i = 0; i < g.samples.size(); ++i) {
    if (i) out->push_back(',');
    AppendSampleJson(g.samples[i], out);
  }
  out->push_back(']');
  out->push_back(',');
  Key("stats", out);
  AppendStatsJson(*g.stats, out);
  out->push_back('}');
}

void AppendGroupResultJson(const v1::GroupResult& g, std::string* out) {
  GroupView view;
  GroupViewOf(g, &view);
  AppendGroupResultJson(view, out);
}

std::string AddMember(std::string_view object_line, std::string_view key,
                      std::string_view value_json) {
  size_t close = object_line.find_last_of('}');
  std::string_view head = object_line.substr(0, close);
  size_t last = head.find_last_not_of(" \t\r\n");
  bool empty = last == std::string_view::npos || head[last] == '{';
  std::string out(head.substr(0, last == std::string_view::npos ? 0 : last + 1));
  if (!empty) out.push_back(',');
  AppendJsonString(key, &out);
  out.push_back(':');
  out.append(value_json);
  out.push_back('}');
  return out;
}

}  // namespace verdict::cli
