#include "rollout/split_regex.h"

#include "absl/strings/str_cat.h"
#include "base/utf8.h"
#include "rollout/pretokenizer.h"

namespace verdict::rollout {

namespace {

constexpr int kMaxDepth = 64;             // group nesting of the pattern
constexpr size_t kMaxInsts = 100000;      // compiled size, after expanding {n,m}
constexpr int kMaxRepeat = 1000;          // n and m in {n,m}
constexpr int64_t kStepsBase = 10000000;  // backtracking steps per search: base + per code point
constexpr int64_t kStepsPerCodePoint = 1000;

struct Node {
  enum Kind : uint8_t { kEmpty, kClass, kConcat, kAlt, kRepeat, kLook, kAtomic } kind = kEmpty;
  int cls = -1;
  std::vector<int> kids;
  int min = 0, max = -1;  // kRepeat; max -1: unbounded
  bool greedy = true, possessive = false, negate = false;
};

Node MakeNode(Node::Kind k) {
  Node n;
  n.kind = k;
  return n;
}

bool IsHex(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int HexValue(char32_t c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

}  // namespace

bool SplitRegex::Class::ContainsRaw(char32_t c) const {
  for (const ClassItem& it : items) {
    bool in = false;
    switch (it.kind) {
      case ClassItem::kRange:
        in = (c >= it.lo && c <= it.hi) ||
             (caseless && it.lo == it.hi && SimpleFold(it.lo) == SimpleFold(c));
        break;
      case ClassItem::kCategories: in = InCategories(c, it.mask); break;
      case ClassItem::kSpace: in = IsUnicodeSpace(c); break;
    }
    if (in != it.negated) return true;
  }
  return false;
}

bool SplitRegex::Class::Contains(char32_t c) const {
  if (c < 128) return (ascii[c >> 6] >> (c & 63)) & 1;
  bool in = ContainsRaw(c);
  if (!in && caseless) in = ContainsRaw(SimpleFold(c));
  return in != negated;
}

class SplitRegexCompiler {
 public:
  explicit SplitRegexCompiler(std::vector<char32_t> p) : p_(std::move(p)) {}

  absl::StatusOr<SplitRegex> Build() {
    bool caseless = false;
    auto root = ParseAlt(0, &caseless);
    if (!root.ok()) return root.status();
    if (i_ < p_.size()) return Error("unbalanced ')'");
    for (SplitRegex::Class& c : re_.classes_) {
      for (char32_t x = 0; x < 128; ++x) {
        bool in = c.ContainsRaw(x) || (c.caseless && c.ContainsRaw(SimpleFold(x)));
        // ASCII letters also match their other case and the non-ASCII characters folding to
        // them are handled by Contains through SimpleFold.
        if (c.caseless && x >= 'a' && x <= 'z') in = in || c.ContainsRaw(x - 32);
        if (in != c.negated) c.ascii[x >> 6] |= uint64_t{1} << (x & 63);
      }
    }
    re_.programs_.emplace_back();
    if (auto s = Emit(*root, 0); !s.ok()) return s;
    re_.programs_[0].push_back({SplitRegex::Inst::kMatch, false, 0, 0});
    return std::move(re_);
  }

 private:
  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("split regex: ", std::string(what), " at character ", i_));
  }
  absl::Status Unsupported(std::string_view what) const {
    return absl::UnimplementedError(absl::StrCat("split regex: ", std::string(what),
                                                 " (at character ", i_, ") is not supported"));
  }
  bool More() const { return i_ < p_.size(); }
  bool Peek(char32_t c) const { return More() && p_[i_] == c; }
  int Add(Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size()) - 1;
  }
  int AddClass(SplitRegex::Class c) {
    re_.classes_.push_back(std::move(c));
    Node n = MakeNode(Node::kClass);
    n.cls = static_cast<int>(re_.classes_.size()) - 1;
    return Add(std::move(n));
  }

  absl::StatusOr<int> ParseAlt(int depth, bool* caseless) {
    if (depth > kMaxDepth) return Error("groups nested too deeply");
    Node alt = MakeNode(Node::kAlt);
    for (;;) {
      auto c = ParseConcat(depth, caseless);
      if (!c.ok()) return c.status();
      alt.kids.push_back(*c);
      if (!Peek('|')) break;
      ++i_;
    }
    return alt.kids.size() == 1 ? alt.kids[0] : Add(std::move(alt));
  }

  absl::StatusOr<int> ParseConcat(int depth, bool* caseless) {
    Node cat = MakeNode(Node::kConcat);
    while (More() && !Peek('|') && !Peek(')')) {
      if (p_[i_] == '(' && i_ + 3 < p_.size() && p_[i_ + 1] == '?' && p_[i_ + 2] == 'i' &&
          p_[i_ + 3] == ')') {
        *caseless = true;  // (?i) holds to the end of the enclosing group
        i_ += 4;
        continue;
      }
      auto atom = ParseAtom(depth, *caseless);
      if (!atom.ok()) return atom.status();
      auto rep = ParseQuantifier(*atom);
      if (!rep.ok()) return rep.status();
      cat.kids.push_back(*rep);
    }
    if (cat.kids.empty()) return Add(MakeNode(Node::kEmpty));
    return cat.kids.size() == 1 ? cat.kids[0] : Add(std::move(cat));
  }

  bool Nullable(int n) const {
    const Node& x = nodes_[n];
    switch (x.kind) {
      case Node::kEmpty:
      case Node::kLook: return true;
      case Node::kClass: return false;
      case Node::kConcat:
        for (int k : x.kids) {
          if (!Nullable(k)) return false;
        }
        return true;
      case Node::kAlt:
        for (int k : x.kids) {
          if (Nullable(k)) return true;
        }
        return false;
      case Node::kRepeat: return x.min == 0 || Nullable(x.kids[0]);
      case Node::kAtomic: return Nullable(x.kids[0]);
    }
    return true;
  }

  // Reads digits; -1 when there are none.
  int ReadInt() {
    int v = -1;
    while (More() && p_[i_] >= '0' && p_[i_] <= '9') {
      v = (v < 0 ? 0 : v) * 10 + static_cast<int>(p_[i_++] - '0');
      if (v > kMaxRepeat) return kMaxRepeat + 1;
    }
    return v;
  }

  absl::StatusOr<int> ParseQuantifier(int atom) {
    if (!More()) return atom;
    int min, max;
    const size_t start = i_;
    switch (p_[i_]) {
      case '*': min = 0, max = -1, ++i_; break;
      case '+': min = 1, max = -1, ++i_; break;
      case '?': min = 0, max = 1, ++i_; break;
      case '{': {
        ++i_;
        min = ReadInt();
        max = min;
        if (Peek(',')) {
          ++i_;
          max = ReadInt();
        }
        if (min < 0 || !Peek('}')) {  // not a quantifier: Oniguruma reads '{' literally
          i_ = start;
          return atom;
        }
        ++i_;
        if (min > kMaxRepeat || max > kMaxRepeat) return Error("repeat count over 1000");
        if (max >= 0 && max < min) return Error("{n,m} with m < n");
        break;
      }
      default: return atom;
    }
    if (nodes_[atom].kind == Node::kLook) return Unsupported("a quantified lookahead");
    Node r = MakeNode(Node::kRepeat);
    r.kids = {atom};
    r.min = min;
    r.max = max;
    if (Peek('?')) {
      r.greedy = false;
      ++i_;
    } else if (Peek('+') && p_[start] != '{') {
      r.possessive = true;  // Oniguruma: x{n,m}+ is not possessive, x*+ x++ x?+ are
      ++i_;
    }
    if (max < 0 && Nullable(atom)) return Unsupported("an unbounded repeat of an empty match");
    if (More() && (p_[i_] == '*' || p_[i_] == '+' || p_[i_] == '?' || p_[i_] == '{')) {
      return Unsupported("a repeated quantifier");
    }
    return Add(std::move(r));
  }

  absl::StatusOr<int> ParseGroup(int depth, bool caseless) {
    ++i_;  // '('
    Node wrap = MakeNode(Node::kConcat);
    bool inner_caseless = caseless;
    if (Peek('?')) {
      ++i_;
      if (!More()) return Error("unterminated group");
      const char32_t c = p_[i_];
      if (c == ':') {
        ++i_;
      } else if (c == '=' || c == '!') {
        wrap.kind = Node::kLook;
        wrap.negate = c == '!';
        ++i_;
      } else if (c == '>') {
        wrap.kind = Node::kAtomic;
        ++i_;
      } else if (c == 'i' && i_ + 1 < p_.size() && p_[i_ + 1] == ':') {
        inner_caseless = true;
        i_ += 2;
      } else if (c == '<' && i_ + 1 < p_.size() && (p_[i_ + 1] == '=' || p_[i_ + 1] == '!')) {
        return Unsupported("lookbehind");
      } else {
        return Unsupported("this group syntax");
      }
    }
    auto body = ParseAlt(depth + 1, &inner_caseless);
    if (!body.ok()) return body.status();
    if (!Peek(')')) return Error("missing ')'");
    ++i_;
    if (wrap.kind == Node::kConcat) return *body;
    wrap.kids = {*body};
    return Add(std::move(wrap));
  }

  // After a backslash: a set (\p \P \s \S \d \D) into `cls`, or one character into `c`.
  absl::Status ParseEscape(SplitRegex::Class* cls, char32_t* c) {
    if (!More()) return Error("pattern ends with '\\'");
    const char32_t e = p_[i_++];
    using Item = SplitRegex::ClassItem;
    switch (e) {
      case 'p':
      case 'P': {
        bool negated = e == 'P';
        if (!Peek('{')) return Unsupported("\\p without braces");
        ++i_;
        if (Peek('^')) {
          negated = !negated;
          ++i_;
        }
        std::string name;
        while (More() && p_[i_] != '}') {
          if (p_[i_] >= 128) return Error("non-ASCII property name");
          name += static_cast<char>(p_[i_++]);
        }
        if (!Peek('}')) return Error("unterminated \\p{");
        ++i_;
        auto mask = CategoryMaskByName(name);
        if (!mask.ok()) return mask.status();
        cls->items.push_back({Item::kCategories, negated, 0, 0, *mask});
        return absl::OkStatus();
      }
      case 's':
      case 'S': cls->items.push_back({Item::kSpace, e == 'S', 0, 0, 0}); return absl::OkStatus();
      case 'd':
      case 'D':  // Oniguruma's Unicode \d is Nd
        cls->items.push_back(
            {Item::kCategories, e == 'D', 0, 0, CategoryBit(GeneralCategory::kNd)});
        return absl::OkStatus();
      case 't': *c = '\t'; return absl::OkStatus();
      case 'n': *c = '\n'; return absl::OkStatus();
      case 'r': *c = '\r'; return absl::OkStatus();
      case 'f': *c = '\f'; return absl::OkStatus();
      case 'v': *c = '\v'; return absl::OkStatus();
      case 'a': *c = 7; return absl::OkStatus();
      case 'e': *c = 0x1B; return absl::OkStatus();
      case 'x':
      case 'u': {
        const bool braces = e == 'x' && Peek('{');
        if (braces) ++i_;
        const size_t max_digits = braces ? 8 : (e == 'x' ? 2 : 4);
        char32_t v = 0;
        size_t digits = 0;
        while (More() && digits < max_digits && IsHex(p_[i_])) {
          v = v * 16 + HexValue(p_[i_++]);
          ++digits;
        }
        if (digits == 0 || (e == 'u' && digits != 4)) return Error("bad hex escape");
        if (braces) {
          if (!Peek('}')) return Error("unterminated \\x{");
          ++i_;
        }
        if (v > 0x10FFFF) return Error("code point over U+10FFFF");
        *c = v;
        return absl::OkStatus();
      }
      default:
        if ((e >= '0' && e <= '9') || (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) {
          return Unsupported(absl::StrCat("escape \\", std::string(1, static_cast<char>(e))));
        }
        *c = e;  // escaped punctuation (or any other non-alphanumeric) stands for itself
        return absl::OkStatus();
    }
  }

  absl::StatusOr<int> ParseBracket(bool caseless) {
    ++i_;  // '['
    SplitRegex::Class cls;
    cls.caseless = caseless;
    if (Peek('^')) {
      cls.negated = true;
      ++i_;
    }
    bool first = true;
    for (;;) {
      if (!More()) return Error("unterminated '['");
      char32_t c = p_[i_];
      if (c == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      if (c == '[') return Unsupported("a nested class or [:name:]");
      if (c == '&' && i_ + 1 < p_.size() && p_[i_ + 1] == '&') {
        return Unsupported("class intersection &&");
      }
      ++i_;
      if (c == '\\') {
        const size_t before = cls.items.size();
        if (auto s = ParseEscape(&cls, &c); !s.ok()) return s;
        if (cls.items.size() != before) continue;  // a set, not a character
      }
      char32_t hi = c;
      if (Peek('-') && i_ + 1 < p_.size() && p_[i_ + 1] != ']') {
        ++i_;
        hi = p_[i_++];
        if (hi == '\\') {
          const size_t before = cls.items.size();
          if (auto s = ParseEscape(&cls, &hi); !s.ok()) return s;
          if (cls.items.size() != before) return Error("range ending in a set");
        } else if (hi == '[') {
          return Unsupported("a nested class");
        }
        if (hi < c) return Error("range out of order");
      }
      cls.items.push_back({SplitRegex::ClassItem::kRange, false, c, hi, 0});
    }
    return AddClass(std::move(cls));
  }

  absl::StatusOr<int> ParseAtom(int depth, bool caseless) {
    const char32_t c = p_[i_];
    SplitRegex::Class cls;
    cls.caseless = caseless;
    switch (c) {
      case '(': return ParseGroup(depth, caseless);
      case '[': return ParseBracket(caseless);
      case '*':
      case '+':
      case '?': return Error("quantifier without an operand");
      case '^':
      case '$': return Unsupported("anchors ^ and $");
      case '.':
        ++i_;
        cls.negated = true;
        cls.items.push_back({SplitRegex::ClassItem::kRange, false, '\n', '\n', 0});
        return AddClass(std::move(cls));
      case '\\': {
        ++i_;
        char32_t ch = 0;
        if (auto s = ParseEscape(&cls, &ch); !s.ok()) return s;
        if (cls.items.empty())
          cls.items.push_back({SplitRegex::ClassItem::kRange, false, ch, ch, 0});
        return AddClass(std::move(cls));
      }
      default:
        ++i_;
        cls.items.push_back({SplitRegex::ClassItem::kRange, false, c, c, 0});
        return AddClass(std::move(cls));
    }
  }

  using Inst = SplitRegex::Inst;
  int32_t Pc(int prog) const { return static_cast<int32_t>(re_.programs_[prog].size()); }
  absl::Status Push(int prog, Inst in) {
    if (++total_insts_ > kMaxInsts) return Error("compiled pattern too large");
    re_.programs_[prog].push_back(in);
    return absl::OkStatus();
  }

  // A sub-program for a lookahead or atomic group: the node, then kMatch.
  absl::StatusOr<int32_t> SubProgram(int node) {
    re_.programs_.emplace_back();
    const int sub = static_cast<int>(re_.programs_.size()) - 1;
    if (auto s = Emit(node, sub); !s.ok()) return s;
    if (auto s = Push(sub, {Inst::kMatch, false, 0, 0}); !s.ok()) return s;
    return sub;
  }

  // Emits the repeat `x{min,max}` (greedy or lazy) of node `body`.
  absl::Status EmitRepeat(const Node& n, int prog) {
    for (int k = 0; k < n.min; ++k) {
      if (auto s = Emit(n.kids[0], prog); !s.ok()) return s;
    }
    auto split = [&](int32_t body, int32_t out) {
      return n.greedy ? Inst{Inst::kSplit, false, body, out} : Inst{Inst::kSplit, false, out, body};
    };
    if (n.max < 0) {  // L: split body, out; body; jmp L
      const int32_t l = Pc(prog);
      if (auto s = Push(prog, {}); !s.ok()) return s;
      if (auto s = Emit(n.kids[0], prog); !s.ok()) return s;
      if (auto s = Push(prog, {Inst::kJmp, false, l, 0}); !s.ok()) return s;
      re_.programs_[prog][l] = split(l + 1, Pc(prog));
      return absl::OkStatus();
    }
    std::vector<int32_t> holes;  // each optional copy: split body, end
    for (int k = n.min; k < n.max; ++k) {
      holes.push_back(Pc(prog));
      if (auto s = Push(prog, {}); !s.ok()) return s;
      if (auto s = Emit(n.kids[0], prog); !s.ok()) return s;
    }
    for (int32_t h : holes) re_.programs_[prog][h] = split(h + 1, Pc(prog));
    return absl::OkStatus();
  }

  // Depth of this recursion is the pattern's nesting (bounded by kMaxDepth), never the text's.
  absl::Status Emit(int node, int prog) {
    const Node& n = nodes_[node];
    switch (n.kind) {
      case Node::kEmpty: return absl::OkStatus();
      case Node::kClass: return Push(prog, {Inst::kClass, false, n.cls, 0});
      case Node::kConcat:
        for (int k : n.kids) {
          if (auto s = Emit(k, prog); !s.ok()) return s;
        }
        return absl::OkStatus();
      case Node::kAlt: {
        std::vector<int32_t> jumps;
        for (size_t k = 0; k < n.kids.size(); ++k) {
          int32_t split = -1;
          if (k + 1 < n.kids.size()) {
            split = Pc(prog);
            if (auto s = Push(prog, {}); !s.ok()) return s;
          }
          if (auto s = Emit(n.kids[k], prog); !s.ok()) return s;
          if (k + 1 < n.kids.size()) {
            jumps.push_back(Pc(prog));
            if (auto s = Push(prog, {}); !s.ok()) return s;
            re_.programs_[prog][split] = {Inst::kSplit, false, split + 1, Pc(prog)};
          }
        }
        for (int32_t j : jumps) re_.programs_[prog][j] = {Inst::kJmp, false, Pc(prog), 0};
        return absl::OkStatus();
      }
      case Node::kRepeat: {
        if (!n.possessive) return EmitRepeat(n, prog);
        Node plain = n;
        plain.possessive = false;
        nodes_.push_back(plain);
        auto sub = SubProgram(static_cast<int>(nodes_.size()) - 1);
        if (!sub.ok()) return sub.status();
        return Push(prog, {Inst::kAtomic, false, *sub, 0});
      }
      case Node::kLook:
      case Node::kAtomic: {
        const bool negate = n.negate;
        const Inst::Op op = n.kind == Node::kLook ? Inst::kLook : Inst::kAtomic;
        auto sub = SubProgram(n.kids[0]);
        if (!sub.ok()) return sub.status();
        return Push(prog, {op, negate, *sub, 0});
      }
    }
    return absl::OkStatus();
  }

  std::vector<char32_t> p_;
  size_t i_ = 0;
  std::vector<Node> nodes_;
  SplitRegex re_;
  size_t total_insts_ = 0;
};

absl::StatusOr<SplitRegex> SplitRegex::Compile(std::string_view pattern) {
  std::vector<char32_t> cps;
  if (auto s = DecodeUtf8(pattern, &cps, nullptr); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("split regex: ", s.message()));
  }
  return SplitRegexCompiler(std::move(cps)).Build();
}

int SplitRegex::Run(int prog, const std::vector<char32_t>& s, size_t pos, size_t* end,
                    int64_t* budget, std::vector<std::pair<int32_t, size_t>>* stack) const {
  const std::vector<Inst>& code = programs_[prog];
  const size_t base = stack->size();
  stack->push_back({0, pos});
  int result = 0;
  while (stack->size() > base && result == 0) {
    auto [pc, p] = stack->back();
    stack->pop_back();
    for (bool alive = true; alive;) {
      if (--*budget < 0) {
        result = -1;
        break;
      }
      const Inst& in = code[pc];
      switch (in.op) {
        case Inst::kClass:
          alive = p < s.size() && classes_[in.x].Contains(s[p]);
          ++p, ++pc;
          break;
        case Inst::kJmp: pc = in.x; break;
        case Inst::kSplit:
          stack->push_back({in.y, p});
          pc = in.x;
          break;
        case Inst::kMatch:
          *end = p;
          result = 1;
          alive = false;
          break;
        case Inst::kLook:
        case Inst::kAtomic: {
          size_t e = p;
          const int r = Run(in.x, s, p, &e, budget, stack);
          if (r < 0) {
            result = -1;
            alive = false;
          } else if (in.op == Inst::kLook) {
            alive = (r == 1) != in.negate;
          } else {
            alive = r == 1;
            p = e;
          }
          ++pc;
          break;
        }
      }
    }
  }
  stack->resize(base);
  return result;
}

absl::StatusOr<bool> SplitRegex::MatchAt(const std::vector<char32_t>& s, size_t pos,
                                         size_t* end) const {
  int64_t budget = kStepsBase + kStepsPerCodePoint * static_cast<int64_t>(s.size());
  std::vector<std::pair<int32_t, size_t>> stack;
  const int r = Run(0, s, pos, end, &budget, &stack);
  if (r < 0) return absl::ResourceExhaustedError("split regex: backtracking budget exhausted");
  return r == 1;
}

absl::Status SplitRegex::FindAll(const std::vector<char32_t>& s,
                                 std::vector<std::pair<size_t, size_t>>* spans) const {
  spans->clear();
  int64_t budget = kStepsBase + kStepsPerCodePoint * static_cast<int64_t>(s.size());
  std::vector<std::pair<int32_t, size_t>> stack;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = pos;
    const int r = Run(0, s, pos, &end, &budget, &stack);
    if (r < 0) return absl::ResourceExhaustedError("split regex: backtracking budget exhausted");
    if (r == 1 && end > pos) {
      spans->push_back({pos, end});
      pos = end;
    } else {
      ++pos;
    }
  }
  return absl::OkStatus();
}

}  // namespace verdict::rollout
