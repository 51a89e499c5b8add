#include "verifier/math/ast.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/strings.h"

namespace verdict::math {
namespace {

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kNumber: return "num";
    case Op::kSymbol: return "sym";
    case Op::kPi: return "pi";
    case Op::kE: return "e";
    case Op::kI: return "i";
    case Op::kInfinity: return "inf";
    case Op::kAdd: return "add";
    case Op::kMul: return "mul";
    case Op::kNeg: return "neg";
    case Op::kDiv: return "div";
    case Op::kPow: return "pow";
    case Op::kFunc: return "func";
    case Op::kFactorial: return "fact";
    case Op::kBinom: return "binom";
    case Op::kAbs: return "abs";
    case Op::kPercent: return "percent";
    case Op::kDegree: return "degree";
    case Op::kUnit: return "unit";
    case Op::kMixed: return "mixed";
    case Op::kPlusMinus: return "pm";
    case Op::kTuple: return "tuple";
    case Op::kSet: return "set";
    case Op::kList: return "list";
    case Op::kInterval: return "interval";
    case Op::kUnion: return "union";
    case Op::kSetMinus: return "setminus";
    case Op::kMatrix: return "matrix";
    case Op::kDet: return "det";
    case Op::kRelation: return "rel";
    case Op::kText: return "text";
    case Op::kReals: return "reals";
  }
  return "?";
}

// The decimal text of a number literal: digits with the point placed by exp10.
std::string NumberText(const Node& n) {
  std::string d = n.text;
  if (n.exp10 == 0) return d;
  auto scientific = [&] {
    int64_t e = n.exp10 + static_cast<int64_t>(d.size()) - 1;
    std::string m = d.substr(0, 1);
    std::string rest = d.substr(1);
    while (!rest.empty() && rest.back() == '0') rest.pop_back();
    if (!rest.empty()) absl::StrAppend(&m, ".", rest);
    return absl::StrCat(m, "e", e);
  };
  if (n.exp10 > 0) {
    if (n.exp10 <= 12) return d + std::string(static_cast<size_t>(n.exp10), '0');
    return scientific();
  }
  int64_t k = -n.exp10;
  if (k > 40) return scientific();
  if (static_cast<int64_t>(d.size()) <= k) d.insert(0, static_cast<size_t>(k - d.size() + 1), '0');
  d.insert(d.size() - static_cast<size_t>(k), ".");
  return d;
}

}  // namespace

std::string_view RelName(Rel rel) {
  switch (rel) {
    case Rel::kEq: return "=";
    case Rel::kNe: return "!=";
    case Rel::kLt: return "<";
    case Rel::kLe: return "<=";
    case Rel::kGt: return ">";
    case Rel::kGe: return ">=";
    case Rel::kIn: return "in";
    case Rel::kApprox: return "~=";
  }
  return "?";
}

std::string DumpTree(const Tree& tree, int32_t node) {
  if (node < 0) return "()";
  const Node& n = tree.at(node);
  std::string out = absl::StrCat("(", ToAbsl(OpName(n.op)));
  switch (n.op) {
    case Op::kNumber: absl::StrAppend(&out, " ", NumberText(n)); break;
    case Op::kSymbol:
    case Op::kFunc:
    case Op::kUnit: absl::StrAppend(&out, " ", n.text); break;
    case Op::kText: absl::StrAppend(&out, " \"", n.text, "\""); break;
    case Op::kInterval:
    case Op::kTuple:
      absl::StrAppend(&out, n.flags & kParenOpen ? " (" : " [", n.flags & kParenClose ? ")" : "]");
      break;
    case Op::kMatrix:
      absl::StrAppend(&out, " ", n.rows, "x", n.kids.size() / std::max(1, n.rows));
      break;
    case Op::kPlusMinus:
      if (n.flags & kMinusPlus) out += " mp";
      break;
    case Op::kList:
      if (n.flags & kOrList) out += " or";
      break;
    default: break;
  }
  for (size_t k = 0; k < n.kids.size(); ++k) {
    if (n.op == Op::kRelation && k > 0) absl::StrAppend(&out, " ", ToAbsl(RelName(n.rels[k - 1])));
    absl::StrAppend(&out, " ", DumpTree(tree, n.kids[k]));
  }
  out += ")";
  return out;
}

std::string CanonicalForm(const Tree& tree, int32_t node) {
  if (node < 0) return "";
  const Node& n = tree.at(node);
  auto kid = [&](size_t k) { return CanonicalForm(tree, n.kids[k]); };
  auto wrap = [&](size_t k) {
    const Op op = tree.at(n.kids[k]).op;
    std::string s = kid(k);
    if (op == Op::kAdd || op == Op::kNeg || op == Op::kDiv || op == Op::kMul || op == Op::kPow ||
        op == Op::kPlusMinus || op == Op::kMixed) {
      return absl::StrCat("(", s, ")");
    }
    return s;
  };
  auto joined = [&](std::string_view sep, bool sort) {
    std::vector<std::string> parts;
    for (size_t k = 0; k < n.kids.size(); ++k) parts.push_back(n.op == Op::kMul ? wrap(k) : kid(k));
    if (sort) std::sort(parts.begin(), parts.end());
    return absl::StrJoin(parts, ToAbsl(sep));
  };
  switch (n.op) {
    case Op::kNumber: return NumberText(n);
    case Op::kSymbol: return n.text;
    case Op::kPi: return "pi";
    case Op::kE: return "e";
    case Op::kI: return "i";
    case Op::kInfinity: return "oo";
    case Op::kReals: return "R";
    case Op::kAdd: return joined(" + ", true);
    case Op::kMul: return joined("*", true);
    case Op::kNeg: return absl::StrCat("-", wrap(0));
    case Op::kDiv: return absl::StrCat(wrap(0), "/", wrap(1));
    case Op::kPow: return absl::StrCat(wrap(0), "^", wrap(1));
    case Op::kFunc:
      if (n.kids.size() == 2) return absl::StrCat("log_", wrap(1), "(", kid(0), ")");
      return absl::StrCat(n.text, "(", kid(0), ")");
    case Op::kFactorial: return absl::StrCat(wrap(0), "!");
    case Op::kBinom: return absl::StrCat("binom(", kid(0), ", ", kid(1), ")");
    case Op::kAbs: return absl::StrCat("|", kid(0), "|");
    case Op::kPercent: return absl::StrCat(wrap(0), "%");
    case Op::kDegree: return absl::StrCat(wrap(0), " deg");
    case Op::kUnit: return absl::StrCat(kid(0), " [", n.text, "]");
    case Op::kMixed: return absl::StrCat(kid(0), " ", kid(1), "/", kid(2));
    case Op::kPlusMinus:
      if (n.kids.size() == 1) return absl::StrCat(n.flags & kMinusPlus ? "-+" : "+-", wrap(0));
      return absl::StrCat(kid(0), n.flags & kMinusPlus ? " -+ " : " +- ", wrap(1));
    case Op::kTuple:
    case Op::kInterval:
      return absl::StrCat(n.flags & kParenOpen ? "(" : "[", joined(", ", false),
                          n.flags & kParenClose ? ")" : "]");
    case Op::kSet: return absl::StrCat("{", joined(", ", true), "}");
    case Op::kList: return joined(n.flags & kOrList ? " or " : ", ", false);
    case Op::kUnion: return joined(" U ", false);
    case Op::kSetMinus: return joined(" \\ ", false);
    case Op::kDet: return absl::StrCat("det", kid(0));
    case Op::kMatrix: {
      std::string out = "[";
      size_t cols = n.kids.size() / static_cast<size_t>(std::max(1, n.rows));
      for (size_t r = 0; r < static_cast<size_t>(n.rows); ++r) {
        out += r ? "; " : "";
        for (size_t c = 0; c < cols; ++c) absl::StrAppend(&out, c ? ", " : "", kid(r * cols + c));
      }
      return out + "]";
    }
    case Op::kRelation: {
      std::string out = kid(0);
      for (size_t k = 1; k < n.kids.size(); ++k) {
        absl::StrAppend(&out, " ", ToAbsl(RelName(n.rels[k - 1])), " ", kid(k));
      }
      return out;
    }
    case Op::kText: return absl::StrCat("\"", n.text, "\"");
  }
  return "";
}

}  // namespace verdict::math
