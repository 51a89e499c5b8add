#include "verifier/code/c_harness.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "verifier/code/harness.h"

namespace verdict::code {
namespace {

// Code of both programs (VERDICT_WIRE_HARNESS picks the side), before the solution's or the
// test's code: it declares no C library name, so it cannot clash with theirs.
constexpr char kWire[] =
#include "verifier/code/c_wire.inc"
    ;

using Toks = std::vector<std::string>;

bool IsIdentToken(const std::string& t) {
  return !t.empty() && (absl::ascii_isalpha(static_cast<unsigned char>(t[0])) || t[0] == '_');
}

// A scalar the wire carries: its C spelling and its wire kind (c_wire.inc's put_/get_ suffix:
// i signed, u unsigned, b _Bool, f float, d double).
struct Scalar {
  std::string c_type;
  char kind = 'i';
};

bool IsInteger(const Scalar& s) {
  return (s.kind == 'i' || s.kind == 'u') && s.c_type.find("char") == std::string::npos;
}

// A parameter's or return value's type.
struct CType {
  enum Shape { kVoid, kScalar, kString, kPointer } shape = kVoid;
  Scalar scalar;               // kScalar; kPointer: the element
  bool pointee_const = false;  // kString, kPointer
  std::string name;            // a parameter's name, when it has one
};

// The C spelling of `t` in a declaration.
std::string Spell(const CType& t) {
  switch (t.shape) {
    case CType::kVoid: return "void";
    case CType::kScalar: return t.scalar.c_type;
    case CType::kString: return t.pointee_const ? "const char*" : "char*";
    case CType::kPointer:
      return absl::StrCat(t.pointee_const ? "const " : "", t.scalar.c_type, "*");
  }
  return "";
}

const std::map<std::multiset<std::string>, Scalar>& Builtins() {
  static const auto* m = new std::map<std::multiset<std::string>, Scalar>{
      {{"char"}, {"char", 'i'}},
      {{"signed", "char"}, {"signed char", 'i'}},
      {{"unsigned", "char"}, {"unsigned char", 'u'}},
      {{"short"}, {"short", 'i'}},
      {{"short", "int"}, {"short", 'i'}},
      {{"signed", "short"}, {"short", 'i'}},
      {{"signed", "short", "int"}, {"short", 'i'}},
      {{"unsigned", "short"}, {"unsigned short", 'u'}},
      {{"unsigned", "short", "int"}, {"unsigned short", 'u'}},
      {{"int"}, {"int", 'i'}},
      {{"signed"}, {"int", 'i'}},
      {{"signed", "int"}, {"int", 'i'}},
      {{"unsigned"}, {"unsigned int", 'u'}},
      {{"unsigned", "int"}, {"unsigned int", 'u'}},
      {{"long"}, {"long", 'i'}},
      {{"long", "int"}, {"long", 'i'}},
      {{"signed", "long"}, {"long", 'i'}},
      {{"signed", "long", "int"}, {"long", 'i'}},
      {{"unsigned", "long"}, {"unsigned long", 'u'}},
      {{"unsigned", "long", "int"}, {"unsigned long", 'u'}},
      {{"long", "long"}, {"long long", 'i'}},
      {{"long", "long", "int"}, {"long long", 'i'}},
      {{"signed", "long", "long"}, {"long long", 'i'}},
      {{"signed", "long", "long", "int"}, {"long long", 'i'}},
      {{"unsigned", "long", "long"}, {"unsigned long long", 'u'}},
      {{"unsigned", "long", "long", "int"}, {"unsigned long long", 'u'}},
      {{"_Bool"}, {"_Bool", 'b'}},
      {{"bool"}, {"_Bool", 'b'}},
      {{"float"}, {"float", 'f'}},
      {{"double"}, {"double", 'd'}},
      {{"int8_t"}, {"int8_t", 'i'}},
      {{"int16_t"}, {"int16_t", 'i'}},
      {{"int32_t"}, {"int32_t", 'i'}},
      {{"int64_t"}, {"int64_t", 'i'}},
      {{"uint8_t"}, {"uint8_t", 'u'}},
      {{"uint16_t"}, {"uint16_t", 'u'}},
      {{"uint32_t"}, {"uint32_t", 'u'}},
      {{"uint64_t"}, {"uint64_t", 'u'}},
      {{"size_t"}, {"size_t", 'u'}},
  };
  return *m;
}

bool IsTypeWord(const std::string& w, const std::map<std::string, Scalar>& aliases) {
  static const std::set<std::string> kWords = {
      "char",     "short",    "int",        "long",         "signed",   "unsigned",
      "_Bool",    "bool",     "float",      "double",       "void",     "const",
      "volatile", "restrict", "__restrict", "__restrict__", "register", "struct",
      "union",    "enum",     "int8_t",     "int16_t",      "int32_t",  "int64_t",
      "uint8_t",  "uint16_t", "uint32_t",   "uint64_t",     "size_t"};
  return kWords.count(w) > 0 || aliases.count(w) > 0;
}

// The type of `t` (a declaration without its name); nullopt with `*error` when the wire cannot
// carry it.
std::optional<CType> ReadType(const Toks& t, const std::map<std::string, Scalar>& aliases,
                              std::string* error) {
  CType out;
  int stars = 0;
  std::multiset<std::string> words;
  std::string alias;
  for (const std::string& w : t) {
    if (w == "(" || w == ")") {
      *error = "a function pointer";
      return std::nullopt;
    }
    if (w == "volatile" || w == "_Atomic" || w == "_Complex") {
      *error = absl::StrCat("a ", w, " type");
      return std::nullopt;
    }
    if (w == "struct" || w == "union" || w == "enum") {
      *error = "a struct, union or enum";
      return std::nullopt;
    }
    if (w == "restrict" || w == "__restrict" || w == "__restrict__" || w == "register") continue;
    if (w == "const") {
      if (stars == 0) out.pointee_const = true;  // `char* const p` is still a char*
      continue;
    }
    if (w == "*") {
      ++stars;
      continue;
    }
    if (stars > 0) {
      *error = "a type it cannot read";
      return std::nullopt;
    }
    if (aliases.count(w)) {
      alias = w;
    } else {
      words.insert(w);
    }
  }
  if (!alias.empty() && !words.empty()) {
    *error = "a type it cannot read";
    return std::nullopt;
  }
  if (alias.empty() && words == std::multiset<std::string>{"void"}) {
    if (stars > 0) {
      *error = "a void pointer";
      return std::nullopt;
    }
    out.shape = CType::kVoid;
    return out;
  }
  if (!alias.empty()) {
    out.scalar = aliases.at(alias);
  } else if (auto it = Builtins().find(words); it != Builtins().end()) {
    out.scalar = it->second;
  } else {
    *error = words.empty() ? "a type it cannot read"
                           : absl::StrCat("the type `", absl::StrJoin(words, " "), "`");
    return std::nullopt;
  }
  if (stars > 1) {
    *error = "a pointer to a pointer";
    return std::nullopt;
  }
  if (stars == 0) {
    out.shape = CType::kScalar;
  } else if (out.scalar.c_type == "char") {
    out.shape = CType::kString;
  } else {
    out.shape = CType::kPointer;
  }
  return out;
}

// How one parameter crosses.
enum class Role { kValue, kString, kArray, kReturnSize };

// A file-scope function of the solution.
struct Function {
  std::string why_not;       // empty: it can be forwarded
  bool unspecified = false;  // a declaration `f()`: any parameters (C17), merged with the others
  bool defined = false;      // a definition was read (else only declarations)
  CType ret;
  bool returns_array = false;  // LeetCode's `T* f(..., int* returnSize)`
  std::vector<CType> params;
  std::vector<Role> roles;
};

struct Scan {
  std::map<std::string, Function> functions;
  std::map<std::string, Scalar> aliases;
  std::vector<std::string> directives;
};

// Names the harness takes from the C library itself (c_wire.inc, and what the compiler may call
// for it): a stub of that name would replace it.
bool HarnessNeeds(const std::string& name) {
  static const std::set<std::string> kNames = {
      "read",          "write",     "malloc", "calloc", "realloc",
      "free",          "_exit",     "exit",   "signal", "sigaction",
      "clock_gettime", "setitimer", "prctl",  "fflush", "memcpy",
      "memmove",       "memset",    "abort",  "raise",  "__errno_location"};
  return kNames.count(name) > 0;
}

// Reads the parameter list and return type of the function declared or defined by `stmt` (the
// tokens before its `{` or `;`), if it is one.
void ReadFunction(const Toks& stmt, bool definition, Scan* scan) {
  size_t p = 0;
  while (p < stmt.size() && stmt[p] != "(" && stmt[p] != "=") ++p;
  if (p == 0 || p >= stmt.size() || stmt[p] != "(" || !IsIdentToken(stmt[p - 1])) return;
  const std::string name = stmt[p - 1];
  // `int (*fp)(int)` is no function named `int`.
  if (name == "main" || stmt[0] == "typedef" || IsTypeWord(name, scan->aliases)) return;
  Function f;
  f.defined = definition;
  std::string error;
  size_t q = p + 1;
  std::vector<Toks> params(1);
  for (int depth = 1; q < stmt.size(); ++q) {
    const std::string& w = stmt[q];
    if (w == "(") ++depth;
    if (w == ")" && --depth == 0) break;
    if (w == "," && depth == 1) {
      params.emplace_back();
    } else {
      params.back().push_back(w);
    }
  }
  if (q + 1 < stmt.size()) f.why_not = "is an old-style (K&R) definition or has attributes";
  Toks ret;
  for (size_t k = 0; k + 1 < p; ++k) {
    const std::string& w = stmt[k];
    if (w != "static" && w != "inline" && w != "extern" && w != "__inline" && w != "__inline__") {
      ret.push_back(w);
    }
  }
  if (f.why_not.empty() && ret.empty()) f.why_not = "has no return type (implicit int)";
  if (f.why_not.empty()) {
    std::optional<CType> r = ReadType(ret, scan->aliases, &error);
    if (!r.has_value()) {
      f.why_not = absl::StrCat("returns ", error);
    } else {
      f.ret = *r;
    }
  }
  if (params.size() == 1 && params[0].empty()) {
    params.clear();
    f.unspecified = !definition;
  } else if (params.size() == 1 && params[0] == Toks{"void"}) {
    params.clear();
  }
  for (size_t k = 0; k < params.size() && f.why_not.empty(); ++k) {
    Toks t = params[k];
    for (const std::string& w : t) {
      if (w == ".") f.why_not = "is variadic";
    }
    if (!f.why_not.empty()) break;
    std::string pname;
    // `T a[]` and `T a[n]` are `T* a`; `T a[][n]` is refused.
    const auto open = std::find(t.begin(), t.end(), std::string("["));
    if (open != t.end()) {
      if (std::count(open, t.end(), std::string("[")) > 1) {
        f.why_not = "takes a multi-dimensional array";
        break;
      }
      t.erase(open, t.end());
      t.push_back("*");
      if (t.size() >= 2 && IsIdentToken(t[t.size() - 2]) &&
          !IsTypeWord(t[t.size() - 2], scan->aliases)) {
        pname = t[t.size() - 2];
        t.erase(t.end() - 2);
      }
    } else if (t.size() >= 2 && IsIdentToken(t.back()) && !IsTypeWord(t.back(), scan->aliases)) {
      pname = t.back();
      t.pop_back();
    }
    std::optional<CType> pt = ReadType(t, scan->aliases, &error);
    if (!pt.has_value()) {
      f.why_not = absl::StrCat("takes ", error);
    } else if (pt->shape == CType::kVoid) {
      f.why_not = "takes a void parameter";
    } else {
      pt->name = pname;
      f.params.push_back(*pt);
    }
  }
  // Roles: a pointer is an array when an integer parameter follows it; the last parameter
  // `int* returnSize` of a function returning T* is LeetCode's size of the returned array.
  for (size_t k = 0; k < f.params.size() && f.why_not.empty(); ++k) {
    const CType& t = f.params[k];
    if (t.shape == CType::kScalar) {
      f.roles.push_back(Role::kValue);
    } else if (t.shape == CType::kString) {
      f.roles.push_back(Role::kString);
    } else if (k + 1 == f.params.size() && t.name == "returnSize" && t.scalar.c_type == "int" &&
               !t.pointee_const && f.ret.shape == CType::kPointer) {
      f.roles.push_back(Role::kReturnSize);
      f.returns_array = true;
    } else if (k + 1 < f.params.size() && f.params[k + 1].shape == CType::kScalar &&
               IsInteger(f.params[k + 1].scalar)) {
      f.roles.push_back(Role::kArray);
    } else {
      f.why_not = absl::StrCat("takes a pointer `", t.name,
                               "` without a length after it (`T* a, int n` is an array)");
    }
  }
  if (f.why_not.empty() && f.ret.shape == CType::kPointer && !f.returns_array) {
    f.why_not = "returns a pointer that is not a string (an array is `T* f(..., int* returnSize)`)";
  }
  if (f.why_not.empty() && HarnessNeeds(name)) {
    f.why_not = "has a name the harness itself takes from the C library";
  }
  auto [it, inserted] = scan->functions.emplace(name, f);
  if (inserted) return;
  Function& old = it->second;
  const bool defined = old.defined || f.defined;
  if (f.unspecified && f.why_not.empty()) {
    old.defined = defined;
    return;
  }
  if (old.unspecified && old.why_not.empty()) {
    old = f;
    old.defined = defined;
    return;
  }
  old.defined = defined;
  auto sig = [](const Function& g) {
    std::string s = Spell(g.ret);
    for (const CType& t : g.params) absl::StrAppend(&s, ",", Spell(t));
    return s;
  };
  if (old.why_not.empty() && (!f.why_not.empty() || sig(old) != sig(f))) {
    old.why_not = f.why_not.empty() ? "is declared with different signatures" : f.why_not;
  }
}

// Reads the file-scope declarations of C source: functions and typedefs of plain types.
bool ScanFile(std::string_view s, Scan* scan) {
  std::vector<CppToken> lexed;
  if (!LexCpp(s, &lexed, &scan->directives)) return false;
  Toks toks;
  for (CppToken& k : lexed) toks.push_back(std::move(k.text));
  Toks stmt;
  for (size_t i = 0; i < toks.size(); ++i) {
    const std::string& t = toks[i];
    if (t == "{") {
      if (std::find(stmt.begin(), stmt.end(), std::string("(")) != stmt.end() &&
          std::find(stmt.begin(), stmt.end(), std::string("=")) == stmt.end()) {
        ReadFunction(stmt, true, scan);
        stmt.clear();
      } else {
        stmt.push_back("{}");  // `struct S {...} x;`: not a function nor a plain typedef
      }
      for (int depth = 0; i < toks.size(); ++i) {  // skip the braces
        if (toks[i] == "{") ++depth;
        if (toks[i] == "}" && --depth == 0) break;
      }
      continue;
    }
    if (t == "}") return false;
    if (t != ";") {
      stmt.push_back(t);
      continue;
    }
    if (stmt.size() >= 3 && stmt[0] == "typedef" && IsIdentToken(stmt.back())) {
      std::string error;
      std::optional<CType> a =
          ReadType(Toks(stmt.begin() + 1, stmt.end() - 1), scan->aliases, &error);
      if (a.has_value() && a->shape == CType::kScalar) scan->aliases[stmt.back()] = a->scalar;
    } else if (std::find(stmt.begin(), stmt.end(), std::string("(")) != stmt.end()) {
      ReadFunction(stmt, false, scan);
    }
    stmt.clear();
  }
  return true;
}

std::string Put(const Scalar& s, const std::string& buf, const std::string& expr) {
  const char* cast = s.kind == 'i'   ? "(verdict_wire_i64)"
                     : s.kind == 'u' ? "(verdict_wire_u64)"
                     : s.kind == 'b' ? "(_Bool)"
                                     : "";
  return absl::StrCat("verdict_wire_put_", std::string(1, s.kind), "(", buf, ", ", cast, expr,
                      ");");
}
std::string Get(const Scalar& s, const std::string& reader) {
  return absl::StrCat("(", s.c_type, ")verdict_wire_get_", std::string(1, s.kind), "(", reader,
                      ")");
}

// The harness's stub of `name` (stub number `k`): the call's arguments out, the result and the
// copies back in.
std::string HarnessStub(const std::string& name, const Function& f, int k) {
  std::vector<std::string> decl;
  std::string put, back;
  for (size_t i = 0; i < f.params.size(); ++i) {
    const CType& t = f.params[i];
    const std::string a = absl::StrCat("verdict_a", i, "_");
    decl.push_back(absl::StrCat(Spell(t), " ", a));
    switch (f.roles[i]) {
      case Role::kValue: absl::StrAppend(&put, "  ", Put(t.scalar, "&verdict_b_", a), "\n"); break;
      case Role::kString:
        absl::StrAppend(&put, "  verdict_wire_put_str(&verdict_b_, ", a, ");\n");
        if (!t.pointee_const) {
          absl::StrAppend(&put, "  const verdict_wire_u64 verdict_l", i, "_ = verdict_wire_len(", a,
                          ");\n");
          absl::StrAppend(&back, "  verdict_wire_str_back(&verdict_r_, ", a, ", verdict_l", i,
                          "_);\n");
        }
        break;
      case Role::kArray: {
        const std::string c = absl::StrCat("verdict_c", i, "_");
        absl::StrAppend(&put, "  const verdict_wire_i64 verdict_n", i,
                        "_ = (verdict_wire_i64)verdict_a", i + 1, "_;\n  const verdict_wire_u64 ",
                        c, " = ", a, " == 0 || verdict_n", i, "_ <= 0 ? 0 : verdict_n", i,
                        "_;\n  verdict_wire_put_b(&verdict_b_, ", a,
                        " != 0);\n  verdict_wire_put_u64(&verdict_b_, ", c,
                        ");\n  for (verdict_wire_u64 i = 0; i < ", c, "; ++i) ",
                        Put(t.scalar, "&verdict_b_", a + "[i]"), "\n");
        if (!t.pointee_const) {
          absl::StrAppend(&back, "  verdict_wire_count_back(&verdict_r_, ", c,
                          ");\n  for (verdict_wire_u64 i = 0; i < ", c, "; ++i) ", a,
                          "[i] = ", Get(t.scalar, "&verdict_r_"), ";\n");
        }
        break;
      }
      case Role::kReturnSize: break;
    }
  }
  std::string get;
  const std::string ret = Spell(f.ret);
  if (f.ret.shape == CType::kScalar) {
    get = absl::StrCat("  const ", ret, " verdict_v_ = ", Get(f.ret.scalar, "&verdict_r_"), ";\n");
  } else if (f.ret.shape == CType::kString) {
    get = absl::StrCat("  ", ret, " verdict_v_ = verdict_wire_get_str(&verdict_r_);\n");
  } else if (f.returns_array) {
    const std::string rs = absl::StrCat("verdict_a", f.params.size() - 1, "_");
    get = absl::StrCat(
        "  const verdict_wire_i64 verdict_rs_ = verdict_wire_get_i(&verdict_r_);\n  if (", rs,
        " != 0) *", rs, " = (int)verdict_rs_;\n  ", f.ret.scalar.c_type,
        "* verdict_v_ = 0;\n  if (verdict_wire_get_b(&verdict_r_)) {\n"
        "    const verdict_wire_u64 c = verdict_wire_get_count(&verdict_r_);\n"
        "    if (c != (verdict_rs_ > 0 ? (verdict_wire_u64)verdict_rs_ : 0)) verdict_r_.bad = "
        "1;\n    verdict_v_ = (",
        f.ret.scalar.c_type, "*)verdict_wire_alloc(c, sizeof *verdict_v_);\n",
        "    for (verdict_wire_u64 i = 0; i < c; ++i) verdict_v_[i] = ",
        Get(f.ret.scalar, "&verdict_r_"), ";\n  }\n");
  }
  // The name in parentheses: a function-like macro of the same name (glibc's `isdigit`) is not
  // expanded here, so the stub is defined, and a test whose call the macro takes fails below.
  return absl::StrCat(
      ret, " (", name, ")(", decl.empty() ? "void" : absl::StrJoin(decl, ", "),
      ") {\n  ++verdict_wire_stub_calls[", k,
      "];\n  struct verdict_wire_buf verdict_b_ = {0, 0, 0};\n"
      "  verdict_wire_put_str(&verdict_b_, \"",
      name, "\");\n", put,
      "  struct verdict_wire_reader verdict_r_ = verdict_wire_exchange(&verdict_b_);\n", get, back,
      "  verdict_wire_done(&verdict_r_);\n",
      f.ret.shape == CType::kVoid ? "" : "  return verdict_v_;\n", "}\n");
}

// The candidate's side of stub `k`: reads the arguments, calls the solution's function, writes
// the result and the copies back. Arguments are not freed: the solution may keep them.
std::string CandidateCall(const std::string& name, const Function& f, int k) {
  std::string get, back;
  std::vector<std::string> args;
  for (size_t i = 0; i < f.params.size(); ++i) {
    const CType& t = f.params[i];
    const std::string a = absl::StrCat("verdict_a", i, "_");
    args.push_back(a);
    switch (f.roles[i]) {
      case Role::kValue:
        absl::StrAppend(&get, "  const ", t.scalar.c_type, " ", a, " = ",
                        Get(t.scalar, "verdict_in_"), ";\n");
        break;
      case Role::kString:
        absl::StrAppend(&get, "  char* ", a, " = verdict_wire_get_str(verdict_in_);\n",
                        "  const verdict_wire_u64 verdict_l", i, "_ = verdict_wire_len(", a,
                        ");\n");
        if (!t.pointee_const) {
          absl::StrAppend(&back, "  verdict_wire_put_strn(verdict_out_, ", a, ", verdict_l", i,
                          "_);\n");
        }
        break;
      case Role::kArray: {
        const std::string c = absl::StrCat("verdict_c", i, "_");
        absl::StrAppend(&get, "  const _Bool verdict_p", i,
                        "_ = verdict_wire_get_b(verdict_in_);\n  const verdict_wire_u64 ", c,
                        " = verdict_wire_get_count(verdict_in_);\n  ", t.scalar.c_type, "* ", a,
                        " = verdict_p", i, "_ ? (", t.scalar.c_type, "*)verdict_wire_alloc(", c,
                        ", sizeof *", a, ") : 0;\n  for (verdict_wire_u64 i = 0; i < ", c, " && ",
                        a, " != 0; ++i) ", a, "[i] = ", Get(t.scalar, "verdict_in_"), ";\n");
        if (!t.pointee_const) {
          absl::StrAppend(&back, "  verdict_wire_put_u64(verdict_out_, ", c,
                          ");\n  for (verdict_wire_u64 i = 0; i < ", c, " && ", a, " != 0; ++i) ",
                          Put(t.scalar, "verdict_out_", a + "[i]"), "\n");
        }
        break;
      }
      case Role::kReturnSize:
        absl::StrAppend(&get, "  int verdict_rs_ = 0;\n");
        args.back() = "&verdict_rs_";
        break;
    }
  }
  const std::string call = absl::StrCat(name, "(", absl::StrJoin(args, ", "), ")");
  std::string put;
  if (f.ret.shape == CType::kVoid) {
    put = absl::StrCat("  ", call, ";\n");
  } else if (f.ret.shape == CType::kScalar) {
    put = absl::StrCat("  const ", f.ret.scalar.c_type, " verdict_v_ = ", call, ";\n  ",
                       Put(f.ret.scalar, "verdict_out_", "verdict_v_"), "\n");
  } else if (f.ret.shape == CType::kString) {
    put = absl::StrCat("  const char* verdict_v_ = ", call,
                       ";\n  verdict_wire_put_str(verdict_out_, verdict_v_);\n");
  } else {
    put = absl::StrCat(
        "  const ", f.ret.scalar.c_type, "* verdict_v_ = ", call,
        ";\n  verdict_wire_put_i(verdict_out_, verdict_rs_);\n"
        "  verdict_wire_put_b(verdict_out_, verdict_v_ != 0);\n"
        "  if (verdict_v_ != 0) {\n"
        "    const verdict_wire_u64 c = verdict_rs_ > 0 ? (verdict_wire_u64)verdict_rs_ : 0;\n"
        "    verdict_wire_put_u64(verdict_out_, c);\n"
        "    for (verdict_wire_u64 i = 0; i < c; ++i) ",
        Put(f.ret.scalar, "verdict_out_", "verdict_v_[i]"), "\n  }\n");
  }
  return absl::StrCat("static void verdict_call_", k,
                      "_(struct verdict_wire_reader* verdict_in_, struct verdict_wire_buf* "
                      "verdict_out_) {\n",
                      get, "  if (verdict_in_->bad) return;\n", put, back, "}\n");
}

constexpr char kCandidateMain[] = R"C(
int main(void) {
  (void)!verdict_wire_write_(4, "ready\n", 6);
  struct verdict_wire_buf verdict_request_ = {0, 0, 0};
  while (verdict_wire_read_frame(3, &verdict_request_, 1ULL << 31)) {
    struct verdict_wire_reader verdict_in_ = {verdict_request_.p, verdict_request_.n, 0, 0};
    struct verdict_wire_buf verdict_out_ = {0, 0, 0};
    verdict_wire_raw(&verdict_out_, "R", 1);
    char* verdict_name_ = verdict_wire_get_str(&verdict_in_);
    if (verdict_name_ == 0) {
      verdict_in_.bad = 1;
    } else
DISPATCH    {
      verdict_in_.bad = 1;
    }
    if (verdict_in_.bad || verdict_in_.n != 0) {
      verdict_out_.n = 0;
      verdict_wire_raw(&verdict_out_, "E", 1);
    }
    if (!verdict_wire_write_frame(4, &verdict_out_)) return 1;
    verdict_wire_free_(verdict_out_.p);
    verdict_wire_free_(verdict_name_);
  }
  return 0;
}
)C";

constexpr char kHarnessMain[] = R"C(
static void verdict_wire_on_abort(int sig) {
  (void)sig;
  verdict_wire_fail("WRONG", "the test failed an assertion");
}
static void verdict_wire_on_alarm(int sig) {
  (void)sig;
  verdict_wire_fail("TIMEOUT", "the test ran past its time limit");
}
int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  verdict_wire_prctl_(VERDICT_WIRE_PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
  verdict_wire_signal_(VERDICT_WIRE_SIGPIPE, (void (*)(int))1);
  const long got = verdict_wire_read_(0, verdict_wire_nonce, sizeof verdict_wire_nonce);
  if (got <= 0) return 2;
  verdict_wire_nonce_size = got;
  while (verdict_wire_nonce_size > 0 && verdict_wire_nonce[verdict_wire_nonce_size - 1] == '\n') {
    --verdict_wire_nonce_size;
  }
  {
    char buf[65536];
    while (verdict_wire_read_(5, buf, sizeof buf) > 0) {
    }
  }
  verdict_wire_clock_gettime_(VERDICT_WIRE_CLOCK_MONOTONIC, &verdict_wire_start);
  verdict_wire_signal_(VERDICT_WIRE_SIGABRT, verdict_wire_on_abort);
  verdict_wire_signal_(VERDICT_WIRE_SIGALRM, verdict_wire_on_alarm);
  const struct verdict_wire_itimerval timer = {0, 0, VERDICT_TEST_MS / 1000,
                                               (VERDICT_TEST_MS % 1000) * 1000};
  verdict_wire_setitimer_(VERDICT_WIRE_ITIMER_REAL, &timer, 0);
  const int rc = verdict_test_main_(ARGS);
  verdict_wire_fflush_(0);
  if (rc != 0) verdict_wire_fail("WRONG", "the test's main returned non-zero");
  for (int k = 0; verdict_wire_stub_names[k] != 0; ++k) {
    if (verdict_wire_stub_calls[k] != 0) continue;
    char why[256];
    unsigned long n = 0;
    const char* parts[3] = {"the test never called the solution's `", verdict_wire_stub_names[k],
                            "` (a library function, macro or builtin of that name took it?)"};
    for (int p = 0; p < 3; ++p) {
      for (const char* s = parts[p]; *s != 0 && n < sizeof why - 1; ++s) why[n++] = *s;
    }
    why[n] = 0;
    verdict_wire_fail("WRONG", why);
  }
  verdict_wire_report("PASS", "");
  return 0;
}
)C";

}  // namespace

absl::StatusOr<CppPairSources> BuildCAssertPair(std::string_view solution,
                                                std::string_view test_code, int64_t test_ms) {
  std::optional<std::pair<size_t, size_t>> m = FindMainDefinition(test_code);
  if (!m.has_value()) return absl::InvalidArgumentError("the C test code has no main");
  Scan sol, test_scan;
  if (!ScanFile(solution, &sol)) {
    return absl::InvalidArgumentError("the solution does not lex (an unterminated literal?)");
  }
  std::vector<CppToken> test_toks;
  if (!ScanFile(test_code, &test_scan) || !LexCpp(test_code, &test_toks, nullptr)) {
    return absl::InvalidArgumentError("the C test code does not lex");
  }
  // Every solution function the test names (called, or taken as a value) is forwarded, except
  // those the test defines itself (a test's prototype of the function it tests is common C).
  std::set<std::string> named;
  for (const CppToken& t : test_toks) {
    if (IsIdentToken(t.text)) named.insert(t.text);
  }
  std::string stubs, calls, dispatch, stub_names;
  int k = 0;
  for (const auto& [name, f] : sol.functions) {
    auto own = test_scan.functions.find(name);
    if (!named.count(name) || (own != test_scan.functions.end() && own->second.defined)) continue;
    if (!f.why_not.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the harness cannot call `", name, "` across the process boundary: it ", f.why_not));
    }
    absl::StrAppend(&stub_names, "\"", name, "\", ");
    absl::StrAppend(&stubs, HarnessStub(name, f, k));
    absl::StrAppend(&calls, CandidateCall(name, f, k));
    absl::StrAppend(&dispatch, "    if (verdict_wire_streq(verdict_name_, \"", name,
                    "\")) {\n      verdict_call_", k,
                    "_(&verdict_in_, &verdict_out_);\n    } else\n");
    ++k;
  }
  CppPairSources out;
  out.candidate_prelude = kWire;
  // The solution's own main (an example run, say) would clash with the dispatcher's: renamed,
  // never called.
  std::string sol_text(solution);
  if (std::optional<std::pair<size_t, size_t>> sm = FindMainDefinition(solution)) {
    sol_text = absl::StrCat(sol_text.substr(0, sm->first), "verdict_solution_main_",
                            sol_text.substr(sm->first + 4));
  }
  std::string candidate_main = kCandidateMain;
  candidate_main.replace(candidate_main.find("DISPATCH"), 8, dispatch);
  out.candidate = absl::StrCat(sol_text, "\n", calls, candidate_main);
  // The solution's headers in a fixed order (one harness per problem for solutions that include
  // the same set) and its typedefs, canonical.
  std::set<std::string> includes;
  for (const std::string& d : sol.directives) includes.insert(SafeIncludeLine(d));
  std::string prelude = absl::StrJoin(includes, "");
  for (const auto& [name, s] : sol.aliases) {
    absl::StrAppend(&prelude, "typedef ", s.c_type, " ", name, ";\n");
  }
  // C cannot ask whether the test's main takes (argc, argv): read its parameter list.
  const std::string test(test_code);
  const auto [name, close] = *m;
  const size_t open = test.find('(', name + 4);
  const size_t shut = open == std::string::npos ? open : test.find(')', open);
  std::string params;
  if (shut != std::string::npos) params = test.substr(open + 1, shut - open - 1);
  absl::StripAsciiWhitespace(&params);
  const bool no_args = params.empty() || params == "void";
  std::string harness_main = kHarnessMain;
  harness_main.replace(harness_main.find("ARGS"), 4, no_args ? "" : "argc, argv");
  out.harness_prelude = absl::StrCat("#define VERDICT_WIRE_HARNESS 1\n", kWire);
  // How often each stub was called: a test that passed without calling one of them did not
  // test it.
  out.harness = absl::StrCat(prelude, "static long long verdict_wire_stub_calls[", k + 1,
                             "];\nstatic const char* const verdict_wire_stub_names[] = {",
                             stub_names, "0};\n", stubs, test.substr(0, name), "verdict_test_main_",
                             test.substr(name + 4, close - name - 4), "\nreturn 0;\n",
                             test.substr(close), "\n#define VERDICT_TEST_MS ",
                             std::max<int64_t>(test_ms, 1), "LL\n", harness_main);
  return out;
}

}  // namespace verdict::code
