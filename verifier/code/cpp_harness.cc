#include "verifier/code/cpp_harness.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "verifier/code/harness.h"

namespace verdict::code {
namespace {

// Code of both programs (VERDICT_WIRE_HARNESS picks the side): the serialiser, which includes
// only C++ library headers, before the solution's or the test's code; the channel's I/O, which
// includes POSIX headers, after it, so that their global names (::strlen, ::read, ::time)
// cannot change which function a call in the solution or the test picks.
constexpr char kWireData[] =
#include "verifier/code/cpp_wire_data.inc"
    ;
constexpr char kWireIo[] =
#include "verifier/code/cpp_wire_io.inc"
    ;

bool IdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The texts of LexCpp's tokens.
bool Lex(std::string_view s, std::vector<std::string>* toks, std::vector<std::string>* directives) {
  std::vector<CppToken> t;
  if (!LexCpp(s, &t, directives)) return false;
  for (CppToken& k : t) toks->push_back(std::move(k.text));
  return true;
}

bool IsIdentToken(const std::string& t) { return !t.empty() && IdentChar(t[0]) && !isdigit(t[0]); }

using Toks = std::vector<std::string>;

// A type the wire carries, in canonical spelling.
struct Type {
  std::string canonical;
  bool any = false;
};

struct Reader {
  const std::map<std::string, Type>* aliases;
  std::string error;

  // One type of `t` from `*i` (no cv-qualifiers, no reference).
  std::optional<Type> Base(const Toks& t, size_t* i) {
    auto at = [&](size_t k) -> std::string { return k < t.size() ? t[k] : ""; };
    if (at(*i) == "std" && at(*i + 1) == "::") *i += 2;
    const std::string w = at(*i);
    if (w == "boost" && at(*i + 1) == "::" && at(*i + 2) == "any") {
      *i += 3;
      return Type{"boost::any", true};
    }
    static const std::set<std::string> kIntWords = {"unsigned", "signed", "short", "int",   "long",
                                                    "char",     "bool",   "float", "double"};
    if (kIntWords.count(w)) {
      std::map<std::string, int> words;
      while (kIntWords.count(at(*i))) ++words[t[(*i)++]];
      static const std::map<std::map<std::string, int>, std::string> kBuiltins = {
          {{{"int", 1}}, "int"},
          {{{"signed", 1}}, "int"},
          {{{"signed", 1}, {"int", 1}}, "int"},
          {{{"unsigned", 1}}, "unsigned int"},
          {{{"unsigned", 1}, {"int", 1}}, "unsigned int"},
          {{{"short", 1}}, "short"},
          {{{"short", 1}, {"int", 1}}, "short"},
          {{{"unsigned", 1}, {"short", 1}}, "unsigned short"},
          {{{"long", 1}}, "long"},
          {{{"long", 1}, {"int", 1}}, "long"},
          {{{"unsigned", 1}, {"long", 1}}, "unsigned long"},
          {{{"long", 2}}, "long long"},
          {{{"long", 2}, {"int", 1}}, "long long"},
          {{{"unsigned", 1}, {"long", 2}}, "unsigned long long"},
          {{{"char", 1}}, "char"},
          {{{"signed", 1}, {"char", 1}}, "signed char"},
          {{{"unsigned", 1}, {"char", 1}}, "unsigned char"},
          {{{"bool", 1}}, "bool"},
          {{{"float", 1}}, "float"},
          {{{"double", 1}}, "double"},
      };
      auto it = kBuiltins.find(words);
      if (it == kBuiltins.end()) {
        error = "a builtin type it cannot carry";
        return std::nullopt;
      }
      return Type{it->second, false};
    }
    static const std::set<std::string> kFixed = {"int8_t",   "int16_t",  "int32_t",
                                                 "int64_t",  "uint8_t",  "uint16_t",
                                                 "uint32_t", "uint64_t", "size_t"};
    if (w == "string") {
      ++*i;
      return Type{"std::string", false};
    }
    if (kFixed.count(w)) {
      ++*i;
      return Type{"std::" + w, false};
    }
    static const std::map<std::string, int> kTemplates = {
        {"vector", 1}, {"list", 1}, {"deque", 1},         {"set", 1},   {"unordered_set", 1},
        {"map", 2},    {"pair", 2}, {"unordered_map", 2}, {"tuple", -1}};
    auto tt = kTemplates.find(w);
    if (tt != kTemplates.end()) {
      *i += 1;
      if (at(*i) != "<") {
        error = "a template type without arguments";
        return std::nullopt;
      }
      ++*i;
      std::vector<std::string> args;
      bool any = false;
      while (true) {
        std::optional<Type> a = Base(t, i);
        if (!a.has_value()) return std::nullopt;
        args.push_back(a->canonical);
        any = any || a->any;
        if (at(*i) == ",") {
          ++*i;
          continue;
        }
        if (at(*i) == ">") {
          ++*i;
          break;
        }
        error = "a template argument list it cannot read";
        return std::nullopt;
      }
      if (tt->second > 0 && static_cast<int>(args.size()) != tt->second) {
        error = absl::StrCat("std::", w, " with custom template arguments");
        return std::nullopt;
      }
      return Type{absl::StrCat("std::", w, "<", absl::StrJoin(args, ", "), ">"), any};
    }
    auto alias = aliases->find(w);
    if (alias != aliases->end()) {
      ++*i;
      return alias->second;
    }
    error = absl::StrCat("the type `", w, "`");
    return std::nullopt;
  }

  // A whole type: [const] base [const] [&]. `ref` gets whether it is a const reference.
  std::optional<Type> Whole(Toks t, bool* ref) {
    *ref = false;
    for (const std::string& w : t) {
      if (w == "*" || w == "[" || w == "volatile" || w == "auto" || w == "decltype") {
        error = absl::StrCat("a type with `", w, "`");
        return std::nullopt;
      }
    }
    bool is_const = false;
    if (!t.empty() && t.back() == "&") {
      t.pop_back();
      *ref = true;
      if (!t.empty() && t.back() == "&") {
        error = "an rvalue reference";
        return std::nullopt;
      }
    }
    Toks core;
    for (const std::string& w : t) {
      if (w == "const") {
        is_const = true;
      } else {
        core.push_back(w);
      }
    }
    if (*ref && !is_const) {
      error = "a non-const reference";
      return std::nullopt;
    }
    size_t i = 0;
    std::optional<Type> b = Base(core, &i);
    if (b.has_value() && i != core.size()) {
      error = "a type it cannot read";
      return std::nullopt;
    }
    return b;
  }
};

// A file-scope function of the solution.
struct Function {
  std::string why_not;              // empty: it can be forwarded
  std::string ret;                  // canonical; "void" for none
  std::vector<std::string> params;  // canonical
  bool any = false;
};

struct Scan {
  std::map<std::string, Function> functions;
  std::map<std::string, Type> aliases;
  std::vector<std::string> directives;
  bool using_std = false;
};

// The function declared or defined by `stmt` (the tokens before its `{` or `;`), if it is one.
void ReadFunction(const Toks& stmt, Scan* scan) {
  size_t p = 0;
  while (p < stmt.size() && stmt[p] != "(" && stmt[p] != "=") ++p;
  if (p == 0 || p >= stmt.size() || stmt[p] != "(" || !IsIdentToken(stmt[p - 1])) return;
  const std::string name = stmt[p - 1];
  if (name == "main") return;
  if (p >= 2 && (stmt[p - 2] == "::" || stmt[p - 2] == "operator")) return;
  for (const char* k : {"struct", "class", "enum", "union", "typedef", "using", "return"}) {
    if (stmt[0] == k) return;
  }
  Function f;
  Reader reader{&scan->aliases, ""};
  size_t q = p + 1;
  int depth = 1;
  std::vector<Toks> params(1);
  for (int angle = 0; q < stmt.size(); ++q) {
    const std::string& w = stmt[q];
    if (w == "(") ++depth;
    if (w == ")" && --depth == 0) break;
    if (w == "<") ++angle;
    if (w == ">") --angle;
    if (w == "," && depth == 1 && angle == 0) {
      params.emplace_back();
    } else {
      params.back().push_back(w);
    }
  }
  for (size_t k = q + 1; k < stmt.size(); ++k) {
    if (stmt[k] != "noexcept") f.why_not = "has qualifiers or a trailing return type";
  }
  Toks ret(stmt.begin(), stmt.begin() + (p - 1));
  Toks kept;
  for (const std::string& w : ret) {
    if (w == "template") f.why_not = "is a template";
    if (w != "static" && w != "inline" && w != "constexpr" && w != "extern") kept.push_back(w);
  }
  if (f.why_not.empty()) {
    bool ref = false;
    if (kept.size() == 1 && kept[0] == "void") {
      f.ret = "void";
    } else if (std::optional<Type> r = reader.Whole(kept, &ref); !r.has_value()) {
      f.why_not = absl::StrCat("returns ", reader.error);
    } else if (ref) {
      f.why_not = "returns a reference";
    } else {
      f.ret = r->canonical;
      f.any = r->any;
    }
  }
  if (params.size() == 1 && (params[0].empty() || params[0] == Toks{"void"})) params.clear();
  for (size_t k = 0; k < params.size() && f.why_not.empty(); ++k) {
    Toks t = params[k];
    for (const std::string& w : t) {
      if (w == "=") f.why_not = "has a default argument";
      if (w == "." || w == "...") f.why_not = "has variadic parameters";
    }
    if (!f.why_not.empty()) break;
    if (t.size() >= 2 && IsIdentToken(t.back()) && t[t.size() - 2] != "::" && t.back() != "int" &&
        t.back() != "long" && t.back() != "char" && t.back() != "short" && t.back() != "double" &&
        t.back() != "float" && t.back() != "bool" && t.back() != "unsigned" &&
        t.back() != "signed" && t.back() != "const") {
      t.pop_back();
    }
    bool ref = false;
    std::optional<Type> pt = reader.Whole(t, &ref);
    if (!pt.has_value()) {
      f.why_not = absl::StrCat("takes ", reader.error);
    } else {
      f.params.push_back(ref ? absl::StrCat("const ", pt->canonical, "&") : pt->canonical);
      f.any = f.any || pt->any;
    }
  }
  auto [it, inserted] = scan->functions.emplace(name, f);
  if (!inserted && it->second.why_not.empty() &&
      (!f.why_not.empty() || it->second.ret != f.ret || it->second.params != f.params)) {
    it->second.why_not = f.why_not.empty() ? "is overloaded" : f.why_not;
  }
}

// Reads the file-scope declarations of `s`: functions, type aliases, `using namespace std;`.
bool ScanFile(std::string_view s, Scan* scan) {
  Toks toks;
  if (!Lex(s, &toks, &scan->directives)) return false;
  Toks stmt;
  for (size_t i = 0; i < toks.size(); ++i) {
    const std::string& t = toks[i];
    if (t == "{") {
      const bool block = !stmt.empty() && (stmt[0] == "namespace" || stmt[0] == "extern");
      if (!block && std::find(stmt.begin(), stmt.end(), std::string("(")) != stmt.end() &&
          std::find(stmt.begin(), stmt.end(), std::string("=")) == stmt.end()) {
        ReadFunction(stmt, scan);
        stmt.clear();
      }
      for (int depth = 0; i < toks.size(); ++i) {  // skip the braces
        if (toks[i] == "{") ++depth;
        if (toks[i] == "}" && --depth == 0) break;
      }
      if (block) stmt.clear();
      continue;
    }
    if (t == "}") return false;
    if (t != ";") {
      stmt.push_back(t);
      continue;
    }
    if (stmt == Toks{"using", "namespace", "std"}) scan->using_std = true;
    Reader reader{&scan->aliases, ""};
    bool ref = false;
    if (stmt.size() >= 3 && stmt[0] == "typedef" && IsIdentToken(stmt.back())) {
      Toks type(stmt.begin() + 1, stmt.end() - 1);
      std::optional<Type> a = reader.Whole(type, &ref);
      if (a.has_value() && !ref) scan->aliases[stmt.back()] = *a;
    } else if (stmt.size() >= 4 && stmt[0] == "using" && stmt[2] == "=") {
      std::optional<Type> a = reader.Whole(Toks(stmt.begin() + 3, stmt.end()), &ref);
      if (a.has_value() && !ref) scan->aliases[stmt[1]] = *a;
    } else if (std::find(stmt.begin(), stmt.end(), std::string("(")) != stmt.end()) {
      ReadFunction(stmt, scan);
    }
    stmt.clear();
  }
  return true;
}

constexpr char kHarnessMain[] = R"CPP(
  namespace verdict_wire {
  template <typename F>
  int CallTestMain(F f, int argc, char** argv) {
    if constexpr (std::is_invocable_v<F, int, char**>) {
      return f(argc, argv);
    } else {
      return f();
    }
  }
  extern "C" void OnAbort(int) {
    Report("WRONG", "the test failed an assertion");
    _exit(1);
  }
  extern "C" void OnAlarm(int) {
    Report("TIMEOUT", "the test ran past its time limit");
    _exit(1);
  }
  }  // namespace verdict_wire
  int main(int argc, char** argv) {
    using namespace verdict_wire;
    prctl(PR_SET_DUMPABLE, 0);
    signal(SIGPIPE, SIG_IGN);
    const ssize_t got = read(0, g_nonce, sizeof g_nonce);
    if (got <= 0) return 2;
    g_nonce_size = static_cast<size_t>(got);
    while (g_nonce_size > 0 && (g_nonce[g_nonce_size - 1] == '\n')) --g_nonce_size;
    char buf[65536];
    while (read(5, buf, sizeof buf) > 0) {}
    clock_gettime(CLOCK_MONOTONIC, &g_start);
    signal(SIGABRT, OnAbort);
    signal(SIGALRM, OnAlarm);
    itimerval timer{};
    timer.it_value.tv_sec = VERDICT_TEST_MS / 1000;
    timer.it_value.tv_usec = (VERDICT_TEST_MS % 1000) * 1000;
    setitimer(ITIMER_REAL, &timer, nullptr);
    int rc = 1;
    try {
      rc = CallTestMain(verdict_test_main_, argc, argv);
    } catch (const std::exception& e) {
      fflush(stdout);
      Report("ERROR", e.what());
      return 1;
    } catch (...) {
      fflush(stdout);
      Report("ERROR", "the test threw an exception");
      return 1;
    }
    fflush(stdout);
    if (rc != 0) {
      Report("WRONG", "the test's main returned non-zero");
      return 1;
    }
    for (int k = 0; g_stub_names[k] != nullptr; ++k) {
      if (g_stub_calls[k] == 0) {
        const std::string why = std::string("the test never called the solution's `") +
                                g_stub_names[k] + "` (a library function of that name took it?)";
        Report("WRONG", why.c_str());
        return 1;
      }
    }
    Report("PASS", "");
    return 0;
  }
)CPP";

}  // namespace

absl::StatusOr<CppPairSources> BuildCppAssertPair(std::string_view solution,
                                                  std::string_view test_code, int64_t test_ms) {
  std::optional<std::pair<size_t, size_t>> m = FindMainDefinition(test_code);
  if (!m.has_value()) return absl::InvalidArgumentError("the C++ test code has no main");
  Scan sol, test_scan;
  if (!ScanFile(solution, &sol)) {
    return absl::InvalidArgumentError("the solution does not lex (an unterminated literal?)");
  }
  Toks test_toks;
  if (!ScanFile(test_code, &test_scan) || !Lex(test_code, &test_toks, nullptr)) {
    return absl::InvalidArgumentError("the C++ test code does not lex");
  }
  // Every solution function the test names (called, or taken as a value: MultiPL-E's
  // `auto candidate = f;`) is forwarded.
  std::set<std::string> called;
  for (const std::string& t : test_toks) {
    if (IsIdentToken(t)) called.insert(t);
  }
  bool any = false;
  std::string stubs, dispatch, stub_names;
  int num_stubs = 0;
  for (const auto& [name, f] : sol.functions) {
    if (!called.count(name) || test_scan.functions.count(name)) continue;
    if (!f.why_not.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the harness cannot call `", name, "` across the process boundary: it ", f.why_not));
    }
    any = any || f.any;
    std::vector<std::string> decl, args;
    std::string locals;
    for (size_t k = 0; k < f.params.size(); ++k) {
      const std::string a = absl::StrCat("verdict_a", k, "_");
      decl.push_back(absl::StrCat(f.params[k], " ", a));
      args.push_back(a);
      std::string plain = f.params[k];
      if (plain.rfind("const ", 0) == 0) plain = plain.substr(6, plain.size() - 7);
      absl::StrAppend(&locals, "        ", plain, " ", a, " = verdict_wire::Arg<", plain,
                      ">(verdict_in_);\n");
    }
    absl::StrAppend(&stub_names, "\"", name, "\", ");
    absl::StrAppend(&stubs, f.ret, " ", name, "(", absl::StrJoin(decl, ", "),
                    ") {\n  ++verdict_wire::g_stub_calls[", num_stubs++,
                    "];\n  return verdict_wire::Call<", f.ret, ">(\"", name, "\"",
                    args.empty() ? "" : ", ", absl::StrJoin(args, ", "), ");\n}\n");
    const std::string call = absl::StrCat(name, "(", absl::StrJoin(args, ", "), ")");
    absl::StrAppend(&dispatch, "      if (verdict_name_ == \"", name, "\") {\n", locals,
                    f.ret == "void" ? absl::StrCat("        ", call, ";\n")
                                    : absl::StrCat("        const ", f.ret, " verdict_r_ = ", call,
                                                   ";\n        verdict_wire::Result<", f.ret,
                                                   ">(verdict_reply_, verdict_r_);\n"),
                    "      } else\n");
  }
  const std::string any_define = any ? "#define VERDICT_WIRE_ANY 1\n" : "";
  CppPairSources out;
  out.candidate_prelude = absl::StrCat(any_define, kWireData);
  out.candidate = absl::StrCat(
      std::string(solution), "\n", kWireIo,
      "\nint main() {\n  (void)!write(4, \"ready\\n\", 6);\n  std::string verdict_request_;\n"
      "  while (verdict_wire::ReadFrame(3, &verdict_request_, uint64_t{1} << 31)) {\n"
      "    std::string verdict_reply_ = \"R\";\n    try {\n"
      "      verdict_wire::Reader verdict_in_(verdict_request_.data(), "
      "verdict_request_.size());\n"
      "      const std::string verdict_name_ = verdict_wire::Arg<std::string>(verdict_in_);\n",
      dispatch,
      "      {\n        verdict_reply_ = \"Eno such function\";\n      }\n"
      "    } catch (const std::exception& e) {\n"
      "      verdict_reply_ = std::string(\"E\") + e.what();\n"
      "    } catch (...) {\n      verdict_reply_ = \"Ean exception that is not a "
      "std::exception\";\n"
      "    }\n    if (!verdict_wire::WriteFrame(4, verdict_reply_)) return 1;\n  }\n"
      "  return 0;\n}\n");
  // The solution's headers in a fixed order (one harness per problem for solutions that
  // include the same set), its `using namespace std;` and type aliases.
  std::set<std::string> includes;
  for (const std::string& d : sol.directives) includes.insert(SafeIncludeLine(d));
  std::string prelude = absl::StrJoin(includes, "");
  if (sol.using_std) prelude += "using namespace std;\n";
  for (const auto& [name, t] : sol.aliases) {
    absl::StrAppend(&prelude, "typedef ", t.canonical, " ", name, ";\n");
  }
  const std::string test(test_code);
  const auto [name, close] = *m;
  out.harness_prelude = absl::StrCat("#define VERDICT_WIRE_HARNESS 1\n", any_define, kWireData);
  // How often each stub was called: a test that passed without calling one of them did not
  // test it (a header's function of the same name, such as ::strlen for the solution's
  // strlen(string), took the call: a solution could include that header to get a pass).
  stubs = absl::StrCat("namespace verdict_wire {\nstatic int64_t g_stub_calls[", num_stubs + 1,
                       "];\nstatic const char* const g_stub_names[] = {", stub_names,
                       "nullptr};\n}  // namespace verdict_wire\n", stubs);
  out.harness = absl::StrCat(prelude, stubs, test.substr(0, name), "verdict_test_main_",
                             test.substr(name + 4, close - name - 4), "\nreturn 0;\n",
                             test.substr(close), "\n", kWireIo, "#define VERDICT_TEST_MS ",
                             std::max<int64_t>(test_ms, 1), "LL\n", kHarnessMain);
  return out;
}

}  // namespace verdict::code
