#include "cli/result_wire.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>

#include "absl/base/attributes.h"
#include "base/utf8.h"
#include "rewards/component.h"
#include "server/convert.h"

namespace verdict::cli {
namespace {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2 };

// The protobuf wire format, read from a flat buffer. Every read fails (false) past the end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}

  bool done() const { return p_ == end_; }

  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
      const auto byte = static_cast<uint8_t>(*p_++);
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  bool Tag(uint32_t* field, uint32_t* wire_type) {
    uint64_t tag = 0;
    if (!Varint(&tag) || tag > UINT32_MAX) return false;
    *field = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    return *field != 0;
  }

  bool Double(double* v) {
    if (end_ - p_ < 8) return false;
    uint64_t bits = 0;
    for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<uint8_t>(p_[i]);
    std::memcpy(v, &bits, sizeof(bits));
    p_ += 8;
    return true;
  }

  bool Bytes(std::string_view* v) {
    uint64_t size = 0;
    if (!Varint(&size) || size > static_cast<uint64_t>(end_ - p_)) return false;
    *v = std::string_view(p_, size);
    p_ += size;
    return true;
  }

 private:
  const char* p_;
  const char* end_;
};

// One field of a message: its number and value (the member its wire type uses).
struct Field {
  uint32_t number = 0, wire_type = 0;
  uint64_t varint = 0;
  double fixed = 0;
  std::string_view bytes;
};

// Inlined: called for every field (~20 a sample), it was a third of the reader's instructions.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool Next(Reader* r, Field* f) {
  if (!r->Tag(&f->number, &f->wire_type)) return false;
  switch (f->wire_type) {
    case kVarint: return r->Varint(&f->varint);
    case kFixed64: return r->Double(&f->fixed);
    case kLen: return r->Bytes(&f->bytes);
    default: return false;  // 32-bit and group fields: no field read here has them
  }
}

// The parser's UTF-8 check, 8 bytes a step while they are ASCII (nearly all the text a server
// sends: IsValidUtf8 alone was 2% of the client's instructions).
bool Utf8(std::string_view text) {
  size_t i = 0;
  for (uint64_t word = 0; i + 8 <= text.size(); i += 8) {
    std::memcpy(&word, text.data() + i, 8);
    if (word & 0x8080808080808080u) return IsValidUtf8(text.substr(i));
  }
  for (; i < text.size(); ++i) {
    if (text[i] & 0x80) return IsValidUtf8(text.substr(i));
  }
  return true;
}

// The value of a known field if it has `wire_type` (else the message parser would read it as
// unknown, so this reader must not).
bool Int(const Field& f, int64_t* v) {
  *v = static_cast<int64_t>(f.varint);
  return f.wire_type == kVarint;
}
bool Int32(const Field& f, int32_t* v) {
  *v = static_cast<int32_t>(f.varint);
  return f.wire_type == kVarint;
}
bool Bool(const Field& f, bool* v) {
  *v = f.varint != 0;
  return f.wire_type == kVarint;
}
bool Double(const Field& f, double* v) {
  *v = f.fixed;
  return f.wire_type == kFixed64;
}
bool String(const Field& f, std::string_view* v) {
  *v = f.bytes;
  return f.wire_type == kLen && Utf8(f.bytes);
}

// A sub-message this reader leaves to protobuf (rare, or once per group), parsed on the arena;
// once only (the parser would merge a second occurrence).
template <typename Message>
bool Parse(const Field& f, google::protobuf::Arena* arena, const Message** out) {
  if (f.wire_type != kLen || *out != nullptr) return false;
  auto* m = google::protobuf::Arena::CreateMessage<Message>(arena);
  *out = m;
  return m->ParseFromArray(f.bytes.data(), static_cast<int>(f.bytes.size()));
}

bool ReadMath(std::string_view bytes, MathView* m) {
  Reader r(bytes);
  Field f;
  while (!r.done()) {
    if (!Next(&r, &f)) return false;
    bool ok = false;
    switch (f.number) {
      case 1: ok = String(f, &m->extracted); break;
      case 2: ok = String(f, &m->source); break;
      case 3: ok = String(f, &m->canonical); break;
      case 4: ok = Int32(f, &m->matched_gold); break;
    }
    if (!ok) return false;
  }
  return true;
}

bool ReadFormat(std::string_view bytes, FormatView* m) {
  Reader r(bytes);
  Field f;
  while (!r.done()) {
    if (!Next(&r, &f)) return false;
    bool ok = false;
    switch (f.number) {
      case 1: ok = Bool(f, &m->ok); break;
      case 2: ok = String(f, &m->template_name); break;
      case 3: ok = String(f, &m->problem); break;
      case 4: ok = Bool(f, &m->think_prefilled); break;
    }
    if (!ok) return false;
  }
  return true;
}

// The packed component lists (fields 14 and 15), last occurrence of each as the parser would
// only if each occurs once: the parser appends occurrences, this reader refuses them.
bool ReadComponents(std::string_view ids, std::string_view values, NamedComponents* out) {
  out->clear();
  if (values.size() % 8 != 0) return false;
  Reader id_reader(ids), value_reader(values);
  while (!id_reader.done()) {
    uint64_t id = 0;
    double value = 0;
    if (!id_reader.Varint(&id) || !value_reader.Double(&value)) return false;
    std::optional<Component> c = ComponentFromProto(static_cast<int>(static_cast<int32_t>(id)));
    if (!c) return false;
    out->emplace_back(ComponentName(*c), value);
  }
  if (!value_reader.done()) return false;
  std::sort(out->begin(), out->end());
  return true;
}

// `s` is a fresh SampleView.
bool ReadSample(std::string_view bytes, google::protobuf::Arena* arena, SampleView* s) {
  Reader r(bytes);
  Field f;
  std::optional<std::string_view> ids, values;
  while (!r.done()) {
    if (!Next(&r, &f)) return false;
    bool ok = false;
    switch (f.number) {
      case 1: ok = Double(f, &s->reward); break;
      case 3: ok = Double(f, &s->advantage); break;
      case 4: {
        int32_t verdict = 0;
        ok = Int32(f, &verdict);
        s->verdict = verdict;
        break;
      }
      case 5: ok = String(f, &s->reason); break;
      case 6: ok = Parse(f, arena, &s->error); break;
      case 7: ok = f.wire_type == kLen && !s->math && ReadMath(f.bytes, &s->math.emplace()); break;
      case 8:
        ok = f.wire_type == kLen && !s->format && ReadFormat(f.bytes, &s->format.emplace());
        break;
      case 9: ok = Parse(f, arena, &s->code); break;
      case 10: ok = Parse(f, arena, &s->language); break;
      case 11: ok = Int(f, &s->length); break;
      case 12: ok = Bool(f, &s->truncated); break;
      case 13: ok = Parse(f, arena, &s->instructions); break;
      case 14:
        ok = f.wire_type == kLen && !ids;
        ids = f.bytes;
        break;
      case 15:
        ok = f.wire_type == kLen && !values;
        values = f.bytes;
        break;
      default:  // 2: the components map of an older server; others: unknown
        break;
    }
    if (!ok) return false;
  }
  return ReadComponents(ids.value_or(""), values.value_or(""), &s->components);
}

// How many samples (field 3) `bytes`, a GroupResult, holds; 0 when malformed.
size_t CountSamples(std::string_view bytes) {
  Reader r(bytes);
  Field f;
  size_t n = 0;
  while (!r.done()) {
    if (!Next(&r, &f)) return 0;
    n += f.number == 3;
  }
  return n;
}

bool ReadGroup(std::string_view bytes, google::protobuf::Arena* arena, GroupView* g) {
  g->samples.reserve(CountSamples(bytes));  // SampleView is large: no regrowth
  Reader r(bytes);
  Field f;
  const v1::GroupStats* stats = nullptr;
  while (!r.done()) {
    if (!Next(&r, &f)) return false;
    bool ok = false;
    switch (f.number) {
      case 1: ok = String(f, &g->group_id); break;
      case 2: ok = Parse(f, arena, &g->error); break;
      case 3:
        ok = f.wire_type == kLen && ReadSample(f.bytes, arena, &g->samples.emplace_back());
        break;
      case 4: ok = Parse(f, arena, &stats); break;
      default:  // 5: an effective spec (not asked for), or unknown
        break;
    }
    if (!ok) return false;
  }
  if (stats != nullptr) g->stats = stats;
  return true;
}

}  // namespace

bool ReadScoreResponse(std::string_view bytes, google::protobuf::Arena* arena,
                       std::vector<GroupView>* groups) {
  groups->clear();
  Reader r(bytes);
  Field f;
  while (!r.done()) {
    if (!Next(&r, &f) || f.number != 1 || f.wire_type != kLen) return false;
    if (!ReadGroup(f.bytes, arena, &groups->emplace_back())) return false;
  }
  return true;
}

}  // namespace verdict::cli
