// Table tests for the structural rules of issue 14 (labels, chained equalities, assignments read
// as tuples, intervals and inequalities, matrices, parser commands, identical texts): each row a
// gold answer, a predicted answer and the outcome VerifyAnswer(pred, {gold}) must give. Every
// table holds the correct forms and their wrong neighbours (a sign flipped, one element changed,
// an open end for a closed one, a different label value), which must stay rejected.
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "tests/verifier/math/printers.h"
#include "tests/verifier/math/table.h"
#include "verifier/math/ast.h"
#include "verifier/math/labels.h"
#include "verifier/math/parse.h"
#include "verifier/math/rewrite.h"
#include "verifier/math/verify.h"

namespace verdict::math {
namespace {

using table::Case;
using table::kNo;
using table::kNotCorrect;
using table::kYes;
using table::Table;

// clang-format off
// Symbols are sampled at positive points; with |.| or a square root on one side only, negative
// points decide too (a false accept before: |x| and \sqrt{x^2} were accepted for x).
const Case kNegativePoints[] = {
    {R"(x)", R"(\left|x\right|)", kNo},
    {R"(x)", R"(\sqrt{x^2})", kNo},
    {R"(2x)", R"(x+|x|)", kNo},
    {R"(|x|)", R"(\sqrt{x^2})", kYes},
    {R"(x^2)", R"(|x|^2)", kYes},
    {R"(\sqrt{2}\sqrt{x})", R"(\sqrt{2x})", kYes},
    {R"(\sqrt{xy})", R"(\sqrt{x}\sqrt{y})", kYes},
    {R"(\frac{1}{\sqrt{x}})", R"(\frac{\sqrt{x}}{x})", kYes},
    {R"(\sqrt{x})", R"(x^{1/2})", kYes},
};

const Case kLabels[] = {
    {R"(V_{1}:V_{2}=11:21)", R"(11:21)", kYes},
    {R"(S_{MBCN}:S=7:32)", R"(\boxed{7:32})", kYes},
    {R"(A:B=1)", R"(1)", kYes},
    {R"(V_{1}:V_{2}=11:21)", R"(11:20)", kNo},
    {R"(A:B=1)", R"(2)", kNo},
    {R"(A:B=1)", R"(A:B=1)", kYes},
    // A named ratio against another name is another ratio (a false accept before: the label was
    // dropped and only 11:21 compared); the same names written differently are the same label.
    {R"(V_{1}:V_{2}=11:21)", R"(V_{2}:V_{2}=11:21)", kNo},
    {R"(V_{1}:V_{2}=11:21)", R"(V_{2}:V_{1}=11:21)", kNo},
    {R"(V_{1}:V_{2}=11:21)", R"(A:B=11:21)", kNo},
    {R"(V_{1}:V_{2}=11:21)", R"(\boxed{V_1 : V_2 = 11:21})", kYes},
    {R"(V_{1}:V_{2}=11:21)", R"(V_{1} : V_{2} = 11 : 21)", kYes},
    {R"(V_{1}:V_{2}=11:21)", R"(V_{1}:V_{2}=21:11)", kNo},
    {R"(11:21)", R"(V_{2}:V_{1}=11:21)", kYes},
    {R"(A:B=1)", R"(B:A=1)", kNo},
    {R"((p,q)=(3,2))", R"((3,2))", kYes},
    {R"((p,q)=(3,2))", R"(\boxed{(3, 2)})", kYes},
    {R"((3,2))", R"((p,q)=(3,2))", kYes},
    {R"((p,q,r)=(3,2,7))", R"((3,2,7))", kYes},
    {R"(f(x)=1)", R"(1)", kYes},
    {R"(1)", R"(f(x)=1)", kYes},
    {R"(g(x)=x^2-2x+2)", R"(x^2-2x+2)", kYes},
    {R"(|AB|=1)", R"(1)", kYes},
    {R"(\frac{NO}{BO}=\frac{1}{\sqrt{6}})", R"(\frac{1}{\sqrt{6}})", kYes},
    {R"(\frac{NO}{BO}=\frac{1}{\sqrt{6}})", R"(\frac{\sqrt{6}}{6})", kYes},
    {R"(AB=4,CD=5)", R"(4, 5)", kYes},
    {R"(\text{Maximum} = 2, \text{Minimum} = 1)", R"(1, 2)", kYes},
    {R"(Maximum = 2, Minimum = 1)", R"(Minimum = 1, Maximum = 2)", kYes},
    {R"((p,q)=(3,2))", R"((p,q)=(3,2))", kYes},
    {R"(x_{1}=\frac{1}{2}+\frac{31\sqrt{5}}{216},\quadx_{2}=\frac{1}{2}-\frac{31\sqrt{5}}{216})",
     R"(\dfrac{108 + 31\sqrt{5}}{216} \quad \text{and} \quad \dfrac{108 - 31\sqrt{5}}{216})", kYes},
    {R"((5, 8), (8, 5))", R"((x, y) = (5, 8) \quad \text{and} \quad (8, 5))", kYes},
    {R"(f(x) = 1 \text{ for all } x \in \mathbb{Q}_{>0})", R"(1)", kYes},
    {R"(f(x) = 1 \text{ for all } x \in \mathbb{Q}_{>0})", R"(2)", kNo},
    {R"(1)", R"(f(x) = 1 \text{ for all } x > 0, f(x) = 2 \text{ otherwise})", kNotCorrect},
    {R"((p,q)=(3,2))", R"((2,3))", kNo},
    {R"((p,q)=(3,2))", R"((3,-2))", kNo},
    {R"((p,q,r)=(3,2,7))", R"((3,2))", kNo},
    {R"(f(x)=1)", R"(2)", kNo},
    {R"(f(x)=1)", R"(-1)", kNo},
    {R"(g(x)=x^2-2x+2)", R"(x^2-2x+3)", kNo},
    {R"(|AB|=1)", R"(2)", kNo},
    {R"(\frac{NO}{BO}=\frac{1}{\sqrt{6}})", R"(\sqrt{6})", kNo},
    {R"(AB=4,CD=5)", R"(4, 6)", kNo},
    {R"(AB=4,CD=5)", R"(4)", kNo},
    {R"(Maximum = 2, Minimum = 1)", R"(Maximum = 1, Minimum = 2)", kNo},
    {R"((p,q)=(3,2))", R"((q,p)=(2,3))", kYes},
    {R"((p,q)=(3,2))", R"((q,p)=(3,2))", kNo},
    {R"((p,q)=(3,2))", R"((a,b)=(3,2))", kNo},
    {R"(x=5)", R"(y=5)", kNo},
    {R"(5)", R"(f(2) = 5)", kYes},
    {R"(0.3)", R"(P(X=2) = 0.3)", kYes},
    {R"(x^2+1)", R"(f(x+1) = x^2 + 1)", kYes},
    {R"(30^\circ)", R"(\angle ABC = 30^\circ)", kYes},
    {R"(5)", R"(\overline{AB} = 5)", kYes},
    {R"(\sqrt{5})", R"(|\vec{a}| = \sqrt{5})", kYes},
    {R"(6)", R"(f(2) = 5)", kNo},
    {R"(f(2)=5)", R"(f(3) = 5)", kNo},
    {R"(45)", R"(\angle ABC = 30^\circ)", kNo},
    {R"(3)", R"(|\vec{a}| = \sqrt{5})", kNo},
    // Equations that are not definitions keep their meaning.
    {R"(6)", R"(x(x+1) = 6)", kNo},
    {R"(5)", R"(\text{Not } x = 5)", kNotCorrect},
    {R"(5)", R"(not x = 5)", kNotCorrect},
    {R"(5)", R"(\text{It is not} = 5)", kNotCorrect},
    {R"(3)", R"(|\alpha| = 3)", kNo},
    {R"(|x|=3)", R"(x=3)", kNotCorrect},
    {R"(x=3)", R"(|x|=3)", kNotCorrect},
    {R"(9=2)", R"(2)", kNo},
    {R"(2)", R"(9=2)", kNo},
    {R"(|x|=3)", R"(3)", kNo},
    {R"(x^2+y^2=1)", R"(1)", kNo},
    {R"(2x=6)", R"(6)", kNo},
    {R"(x=2x-5)", R"(2x-5)", kNo},
    {R"(f(x)=f(1)+2)", R"(f(1)+2)", kNo},
};

const Case kChains[] = {
    {R"(x = 11)", R"(x = 5+5+1 = 11)", kYes},
    {R"(11)", R"(x = 5+5+1 = 11)", kYes},
    {R"(x = 11)", R"(x = 5+5+1 = 7 =11)", kYes},
    {R"(x = 1/3)", R"(x = 5+5+1 = 1/3 \approx 11)", kYes},
    {R"(1/3)", R"(x=1/3\approx1.3)", kYes},
    {R"(1/3)", R"(x=\frac{1}{3}\approx 0.333)", kYes},
    {R"(z = 1 + 1 = 2)", R"(z = 3+3 = 2)", kYes},
    {R"(x = 11)", R"(x = 5+5+1 = 12)", kNo},
    {R"(1/3)", R"(x=0.3\approx\frac{1}{3})", kNo},
    {R"(z = 1 + 1 = 2)", R"(z = 1+1 = 3)", kNo},
    {R"(z = 1 + 1 = 2)", R"(w = 1+1 = 2)", kNo},
    {R"(11)", R"(5+5+1 = 11)", kYes},  // a true relation between constants (TrueRelations)
    {R"(12)", R"(5+5+1 = 12)", kNo},   // a false one states nothing
};

const Case kAssignmentsAsTuples[] = {
    {R"(x=3, y=-4)", R"((3,-4))", kYes},
    {R"((3,-4))", R"(x=3, y=-4)", kYes},
    {R"((x,y)=(3,-4))", R"(x=3, y=-4)", kYes},
    {R"(p=5,q=2;p=7,q=2)", R"((5,2),(7,2))", kYes},
    {R"(p=5,q=2;p=7,q=2)", R"((7,2),(5,2))", kYes},
    {R"(p=5,q=2;p=7,q=2)", R"(\{(5,2),(7,2)\})", kYes},
    {R"(x=3, y=-4)", R"((-4,3))", kNo},
    {R"(x=3, y=-4)", R"((3,4))", kNo},
    {R"(x=3, y=-4)", R"((3,-4,0))", kNo},
    {R"(p=5,q=2;p=7,q=2)", R"((2,5),(2,7))", kNo},
    {R"(p=5,q=2;p=7,q=2)", R"((5,2))", kNo},
    {R"(p=5,q=2;p=7,q=2)", R"((5,2),(7,3))", kNo},
    {R"(x=1, x=2)", R"((1,2))", kNo},
};

const Case kIntervalsAndInequalities[] = {
    {R"(\{-1\} \cup [0,7))", R"(\{-1\} \cup [0,7))", kYes},
    {R"(\{-1\} \cup [0,7))", R"([0,7) \cup \{-1\})", kYes},
    {R"(\{-1, 8\} \cup [0,7))", R"(\{8\} \cup [0,7) \cup \{-1\})", kYes},
    {R"((2, 12) \cup (12, 102))", R"(x \in (2,12) \cup (12,102))", kYes},
    {R"(1\leq|z|\leq \frac{3}{2})", R"(z \in \left[-\frac{3}{2}, -1\right] \cup \left[1, \frac{3}{2}\right])", kYes},
    {R"(|x|<3)", R"((-3,3))", kYes},
    {R"(|x|<3)", R"(-3<x<3)", kYes},
    {R"(|x| \ge 2)", R"((-\infty,-2] \cup [2,\infty))", kYes},
    {R"(0<f(x)<1)", R"((0,1))", kYes},
    {R"(-2 \le x \le 7)", R"(x \in [-2,7])", kYes},
    {R"(x \in [-2,7])", R"(-2 \le x \le 7)", kYes},
    {R"(\{x \mid -1 < x < 1\})", R"((-1, 1))", kYes},
    {R"((-1, 1))", R"(\{x : -1 < x < 1\})", kYes},
    {R"(x < 3)", R"(x \lt 3)", kYes},
    {R"(x > 5)", R"(x \gt 5)", kYes},
    {R"(x \leq 2)", R"(x <= 2)", kYes},
    {R"(x >= 5)", R"(x \geq 5)", kYes},
    {R"(x != 3)", R"(x \neq 3)", kYes},
    {R"(x \ne 5)", R"(x != 5)", kYes},
    {R"(\{-1\} \cup [0,7))", R"(\{1\} \cup [0,7))", kNo},
    {R"(\{-1\} \cup [0,7))", R"(\{-1\} \cup [0,7])", kNo},
    {R"(\{-1\} \cup [0,7))", R"([0,7))", kNo},
    {R"((2, 12) \cup (12, 102))", R"(x \in (2,12) \cup (12,103))", kNo},
    {R"((2, 12) \cup (12, 102))", R"(x \in (2,12] \cup (12,102))", kNo},
    {R"(1\leq|z|\leq \frac{3}{2})", R"(z \in \left(-\frac{3}{2}, -1\right] \cup \left[1, \frac{3}{2}\right])", kNo},
    {R"(1\leq|z|\leq \frac{3}{2})", R"([1, \frac{3}{2}])", kNo},
    {R"(|x|<3)", R"([-3,3])", kNo},
    {R"(|x|<3)", R"((0,3))", kNo},
    {R"(|x| > 2)", R"((-\infty,-2] \cup [2,\infty))", kNo},
    {R"(0<f(x)<1)", R"([0,1))", kNo},
    {R"(-2 \le x \le 7)", R"(x \in [-2,7))", kNo},
    {R"(\{x \mid -1 < x < 1\})", R"([-1, 1))", kNo},
    {R"(x < 3)", R"(x \gt 3)", kNo},
    {R"(x < 3)", R"(We find that x < 3)", kNotCorrect},  // prose is M1's extraction, not a name
    {R"(x != 3)", R"(x \neq 4)", kNo},
    // A set {1, 3} (braces without a backslash read as a group: two answers) is neither the
    // open interval (1, 3) nor the pair (1, 3).
    {R"((1,3))", R"({1,3})", kNo},
};

const Case kMatrices[] = {
    {R"(\begin{pmatrix}1 & 2 \\3 & 4\end{pmatrix})", R"(\left[\begin{array}{cc}1 & 2 \\3 & 4\end{array}\right])", kYes},
    {R"(\begin{bmatrix}0 & 0 \\0 & 0\end{bmatrix})", R"(\begin{pmatrix}0 & 0 \\0 & 0\end{pmatrix})", kYes},
    {R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix})", R"(\begin{pmatrix}1 & 2 \\ 3 & 4 \\ \end{pmatrix})", kYes},
    {R"(\begin{pmatrix}-\frac{7}{4}&-2\\4&\frac{1}{4}\\\end{pmatrix})", R"(\begin{pmatrix}-1.75&-2\\4&0.25\end{pmatrix})", kYes},
    {R"(\begin{pmatrix}6 & 8 \\ 10 & 12\end{pmatrix})", R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} + \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix})", kYes},
    {R"(\begin{pmatrix}-4 & -4 \\ -4 & -4\end{pmatrix})", R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} - \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix})", kYes},
    {R"(\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix})", R"(\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix} \begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix})", kYes},
    {R"(\begin{pmatrix}19 & 22 \\ 43 & 50\end{pmatrix})", R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix})", kYes},
    {R"(\begin{pmatrix}17 \\ 39\end{pmatrix})", R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} \begin{pmatrix}5 \\ 6\end{pmatrix})", kYes},
    {R"(\begin{pmatrix}2 & 4 \\ 6 & 8\end{pmatrix})", R"(2\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix})", kYes},
    {R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix})", R"(\frac{1}{2}\begin{pmatrix}2 & 4 \\ 6 & 8\end{pmatrix})", kYes},
    {R"(\begin{pmatrix}1 \\ 2\end{pmatrix})", R"((1, 2))", kYes},
    {R"((1, 2, 3))", R"(\begin{pmatrix}1 \\ 2 \\ 3\end{pmatrix})", kYes},
    {R"(\begin{pmatrix}1 & 2 \\3 & 4\end{pmatrix})", R"(\left[\begin{array}{cc}1 & 2 \\4 & 3\end{array}\right])", kNo},
    {R"(\begin{pmatrix}6 & 8 \\ 10 & 13\end{pmatrix})", R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} + \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix})", kNo},
    {R"(\begin{pmatrix}23 & 34 \\ 31 & 46\end{pmatrix})", R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix})", kNo},
    {R"(\begin{pmatrix}2 & 4 \\ 6 & 8\end{pmatrix})", R"(-2\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix})", kNo},
    {R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix})", R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} + 1)", kNo},
    {R"(\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix})", R"(\begin{pmatrix}1 & 2\end{pmatrix} \begin{pmatrix}1 & 2\end{pmatrix})", kNotCorrect},
    {R"(\begin{pmatrix}1 \\ -2 \\ 3\end{pmatrix})", R"(\langle 1, -2, 3 \rangle)", kYes},
    {R"((1, 2))", R"(\left\langle 1, 2 \right\rangle)", kYes},
    {R"(\begin{pmatrix}1 \\ -2 \\ 3\end{pmatrix})", R"(\langle 1, 2, 3 \rangle)", kNo},
    {R"((1, 2))", R"(\langle 2, 1 \rangle)", kNo},
    {R"(\begin{pmatrix}1 \\ 2\end{pmatrix})", R"((2, 1))", kNo},
    {R"(\begin{pmatrix}1 \\ 2\end{pmatrix})", R"((1, 2, 0))", kNo},
    {R"(\begin{pmatrix}1 \\ 2\end{pmatrix})", R"([1, 2])", kNo},
};

const Case kCommandsAndLists[] = {
    {R"(F_n = \sum_{k=0}^{n-1} F_k F_{n-k-1})", R"(F_n = \sum_{k=0}^{n-1} F_{n-k-1} F_k)", kYes},
    {R"(\prod_{k=1}^{n} a_k)", R"(\prod_{k=1}^{n} a_k)", kYes},
    {R"(55)", R"(\sum_{k=1}^{10} k)", kYes},
    {R"(385)", R"(\sum_{i=1}^{10} i^2 = 385)", kYes},
    {R"(120)", R"(\prod_{k=1}^{5} k)", kYes},
    {R"(-15)", R"(\sum_{k=-5}^{0} k)", kYes},
    {R"(56)", R"(\sum_{k=1}^{10} k)", kNo},
    {R"(-120)", R"(\prod_{k=1}^{5} k)", kNo},
    {R"(\frac{n(n+1)}{2})", R"(\sum_{k=1}^{n} k)", kNotCorrect},
    {R"(1 + 2 + \cdots + n)", R"(1+2+\dots+n)", kYes},
    {R"(\lfloor x \rfloor + 1)", R"(1 + \lfloor x \rfloor)", kYes},
    {R"(19, 46, and 82)", R"(19, 46, \text{ and } 82)", kYes},
    {R"(1, 2, or 3)", R"(3, 2, 1)", kYes},
    {R"(F_n = \sum_{k=0}^{n-1} F_k F_{n-k-1})", R"(F_n = \sum_{k=0}^{n-2} F_k F_{n-k-2})", kNotCorrect},
    {R"(F_n = \sum_{k=0}^{n-1} F_k F_{n-k-1})", R"(F_n = \sum_{k=1}^{n-1} F_k F_{n-k-1})", kNotCorrect},
    {R"(\prod_{k=1}^{n} a_k)", R"(\sum_{k=1}^{n} a_k)", kNotCorrect},
    {R"(1 + 2 + \cdots + n)", R"(1+2+\dots+m)", kNotCorrect},
    {R"(\lfloor x \rfloor)", R"(\lceil x \rceil)", kNotCorrect},
    {R"((3, 3), (1, 1))", R"((3, 3) \text{ for part (a) and } (1, 1))", kYes},
    {R"((3, 3), (1, 2))", R"((3, 3) \text{ for part (a) and } (1, 1))", kNo},
    {R"(3, 4)", R"(3 \text{ for } x>0 \text{ and } 4)", kNotCorrect},
    {R"(19, 46, and 82)", R"(19, 46, \text{ and } 83)", kNo},
    {R"(19, 46, and 82)", R"(19, 46)", kNo},
};

const Case kTrueRelations[] = {
    {R"(24)", R"(4! = 24)", kYes},
    {R"(4!)", R"(4! = 24)", kYes},
    {R"(4! = 24)", R"(24)", kYes},
    {R"(5\sqrt{2})", R"(5\sqrt2 \approx 7.07)", kYes},
    {R"(7.07)", R"(5\sqrt2 \approx 7.07)", kYes},
    {R"(\frac{1}{3})", R"(\frac{1}{3} \approx 0.33)", kYes},
    {R"(25)", R"(4! = 24)", kNo},
    {R"(24)", R"(4! = 25)", kNo},
    {R"(7.1)", R"(5\sqrt2 \approx 7.07)", kNo},
    {R"(7.07)", R"(5\sqrt2 \approx 7.1)", kNo},
    {R"(\frac{2}{3})", R"(\frac{2}{3} \approx 0.66)", kNo},
    {R"(2)", R"(9=2)", kNo},
    {R"(9)", R"(9=2)", kNo},
    {R"(2.04)", R"(2.0 \approx 2.04)", kNo},
    {R"(1.04)", R"(1 \approx 1.0 \approx 1.04)", kNo},
    {R"(24)", R"(4! = 24 = 4 \cdot 6)", kNotCorrect},
};

const Case kSetDifferenceAndEmptySet[] = {
    {R"([1,3) \cup (3,5])", R"([1,5]\setminus\{3\})", kYes},
    {R"([1,5]\setminus\{3\})", R"([1,3) \cup (3,5])", kYes},
    {R"((-\infty,0)\cup(0,\infty))", R"(\mathbb{R}\setminus\{0\})", kYes},
    {R"(x \neq 0)", R"(\mathbb{R}\setminus\{0\})", kYes},
    {R"((1,5])", R"([1,5]\setminus\{1\})", kYes},
    {R"([1,5]\setminus\{3, 4\})", R"([1,3)\cup(3,4)\cup(4,5])", kYes},
    {R"(\emptyset)", R"(\text{no solution})", kYes},
    {R"(\text{No solutions})", R"(\varnothing)", kYes},
    {R"([1,5]\setminus\{3\})", R"([1,3] \cup (3,5])", kNo},
    {R"([1,5]\setminus\{3\})", R"([1,5])", kNo},
    {R"([1,5]\setminus\{3\})", R"([1,4) \cup (4,5])", kNo},
    {R"(\mathbb{R}\setminus\{0\})", R"(\mathbb{R}\setminus\{1\})", kNo},
    {R"(\emptyset)", R"(\text{one solution})", kNo},
    {R"(\{0\})", R"(\text{no solution})", kNo},
};

const Case kTuplesKeepTheirCommas[] = {
    {R"((1,7,103,105), (3,5,101,107))", R"((1,7,103, 105),(3, 5, 101, 107))", kYes},
    {R"((2, 103))", R"((2,103))", kYes},
    {R"([1,500))", R"([1, 500))", kYes},
    {R"((1, 0))", R"((1,000))", kYes},  // brackets: a tight comma separates
    {R"(3)", R"(x \equiv 3 \pmod{7})", kYes},
    {R"(2\pi \ell)", R"(2\ell\pi)", kYes},
    {R"((1,7103,105))", R"((1,7,103, 105))", kNo},
    {R"((2, 103))", R"((2,104))", kNo},
    {R"([1,500))", R"([1, 501))", kNo},
    {R"(10)", R"(3 \pmod{7})", kNo},
    {R"(2\pi \ell)", R"(2\pi)", kNo},
};

const Case kSystems[] = {
    {R"((2,1))", R"(\begin{cases} x=2 \\ y=1 \end{cases})", kYes},
    {R"(x=2, y=1)", R"(\left\{\begin{array}{l} x=2 \\ y=1 \end{array}\right.)", kYes},
    {R"(x=2,y=1)", R"(\begin{aligned} x &= 2, \\ y &= 1 \end{aligned})", kYes},
    {R"(\{\begin{pmatrix}1\\2\end{pmatrix}\})", R"(\{\begin{pmatrix}1\\1+1\end{pmatrix}\})", kYes},
    {R"(f(x) = 1)", R"(f(x) = 1 \quad \forall x \in \mathbb{R})", kYes},
    {R"((2,1))", R"(\begin{cases} x=1 \\ y=2 \end{cases})", kNo},
    {R"(x=2, y=1)", R"(\left\{\begin{array}{l} x=2 \\ y=3 \end{array}\right.)", kNo},
    {R"(x=2,y=1)", R"(\begin{aligned} x &= 2 \end{aligned})", kNo},
    {R"(1)", R"(\begin{cases} 1 & x > 0 \\ 2 & x \le 0 \end{cases})", kNotCorrect},
    {R"(f(x) = 1)", R"(f(x) = 2 \quad \forall x \in \mathbb{R})", kNo},
};

const Case kSameText[] = {
    {R"(12:00)", R"(12:00)", kYes},
    {R"($12:00$)", R"(12 : 00)", kYes},
    {R"(\foo{3})", R"(\foo{3})", kYes},
    {R"(12:00)", R"(12:01)", kNotCorrect},
    {R"(\foo{3})", R"(\foo{4})", kNotCorrect},
    {R"(F_n:1)", R"(f_n:1)", kNotCorrect},
};
// An ellipsis stands for terms not written: a list with one is a pattern compared entry by entry
// (or all reversed), a sum or product with one is equal only in the same canonical form. Before:
// `3 + \cdots + n` was accepted for `1 + 2 + \cdots + n` (the ellipsis evaluated as a variable).
const Case kEllipses[] = {
    {R"(1, 2, \ldots, 10)", R"(1,2,\dots,10)", kYes},
    {R"(1, 2, \ldots, 10)", R"(1, 2, ..., 10)", kYes},
    {R"(1, 2, \ldots, 10)", R"(10, \ldots, 2, 1)", kYes},
    {R"(2, 4, 6, \ldots)", R"(2,4,6,...)", kYes},
    {R"(\{1, 2, \ldots, n\})", R"(\{1,2,\cdots,n\})", kYes},
    {R"(1 + 2 + \cdots + n)", R"(1 + 2 + ... + n)", kYes},
    {R"(1 + 2 + \cdots + n)", R"(n + \cdots + 2 + 1)", kYes},
    {R"(1, 2, \ldots, 10)", R"(2, 1, \ldots, 10)", kNo},   // not a set: the pattern changed
    {R"(1, 2, \ldots, 10)", R"(1, 2, \ldots, 11)", kNo},
    {R"(1, 3, 5, \ldots)", R"(1, 3, 7, \ldots)", kNo},
    {R"(2, 4, 6)", R"(2,4,6,...)", kNo},                     // finite against endless
    {R"(2, 4, 6, \ldots)", R"(2, 4, 6)", kNo},
    {R"(1 + 2 + \cdots + n)", R"(3 + \cdots + n)", kNo},    // a false accept before
    {R"(1 + 2 + \cdots + n)", R"(1 + 3 + \cdots + n)", kNo},
    {R"(2 \cdot 4 \cdots 2n)", R"(8 \cdots 2n)", kNo},
    {R"(55)", R"(1 + 2 + \cdots + 10)", kNo},
};

// A text answer against a sentence that states it: the same words once "it", articles, copulas
// and auxiliaries are dropped; every other word (he, she, this, that too) counts, in order.
const Case kTextStatements[] = {
    {R"(It stopped.)", R"(\text{stopped})", kYes},
    {R"(\text{stopped})", R"(It has stopped.)", kYes},
    {R"(The answer is infinitely many)", R"(\text{infinitely many})", kYes},
    {R"(It never stopped.)", R"(\text{stopped})", kNo},
    {R"(It did not stop.)", R"(\text{stopped})", kNo},
    {R"(The car stopped.)", R"(\text{stopped})", kNo},
    {R"(It stopped.)", R"(\text{started})", kNo},
    {R"(infinitely many)", R"(\text{finitely many})", kNo},
    {R"(A)", R"(\text{the})", kNotCorrect},
    {R"(\text{He wins})", R"(\text{she wins})", kNo},
    {R"(\text{this one})", R"(\text{that one})", kNo},
};

// "or" between answers. Before the last item only it joins one list, the solutions (a set):
// `x = 2 or x = -2` is the roots of one equation. An "or" with more items after it in its group
// offers whole answers as alternatives, a hedge, correct only where every alternative is (false
// accepts before: the alternatives were read as one union, `1, 2, 3 or 2, 2, 3` as {1, 2, 3}).
const Case kOrHedges[] = {
    {R"(\pm 2)", R"(x = 2 \text{ or } x = -2)", kYes},
    {R"(\{2,-2\})", R"(x = 2 or x = -2)", kYes},
    {R"(x=2, x=-2)", R"(\boxed{x = 2 \text{ or } x = -2})", kYes},
    {R"(1, 2, 3)", R"(1, 2 \text{ or } 3)", kYes},
    {R"(1, 2, 3)", R"(3, 2, \text{ or } 1)", kYes},
    {R"(1, 2, 3)", R"(1 or 2 or 3)", kYes},
    {R"((1,2),(2,1))", R"(x=1, y=2 \text{ or } x=2, y=1)", kYes},  // a system's solutions
    {R"((1,2),(2,1))", R"(x=1 \text{ and } y=2, \text{ or } x=2 \text{ and } y=1)", kYes},
    {R"(1, 2)", R"(1, 2 \text{ or } 2, 1)", kYes},                  // every alternative equal
    {R"(1, 2 \text{ or } 3, 4)", R"(3, 4 \text{ or } 1, 2)", kYes},
    {R"((-\infty,-1)\cup(1,\infty))", R"(x<-1 \text{ or } x>1)", kYes},
    {R"(1, 2, 3)", R"(The answer is $1, 2, 3$ or $2, 2, 3$.)", kNo},
    {R"(1, 2, 3)", R"($1, 2, 3$ or $2, 2, 3$)", kNo},
    {R"(2, 4)", R"(\boxed{2 \text{ or } 2, 4})", kNo},
    {R"(2, 4)", R"(2, 4 \text{ or } 4, 6)", kNo},
    {R"(1, 2, 3, 4)", R"(1, 2 \text{ or } 3, 4)", kNo},             // neither alternative
    {R"((1,2),(3,4))", R"((1,2) \text{ or } (1,2),(3,4))", kNo},
    {R"(1, 2)", R"(1, 2, \text{ or } 1, 3)", kNo},
    {R"(2, -2)", R"(x = 2 \text{ or } x = -2, 3)", kNo},
    {R"((1,2),(2,1))", R"(x=1, y=2 \text{ or } x=2, y=3)", kNo},    // one solution wrong
    {R"((1,2),(2,1))", R"(x=1, y=2 \text{ or } x=2)", kNo},
    {R"(\pm 2)", R"(x = 2 \text{ or } x = 3)", kNo},
    {R"(2)", R"(2 \text{ or } 3)", kNo},
    {R"(1, 2, 3)", R"(1, 2, \text{ or } 4)", kNo},
    {R"(1, 2 \text{ or } 3, 4)", R"(1, 2 \text{ or } 3, 5)", kNo},
    {R"(2, 4)", R"(The answer is $2, 4$ or $2$.)", kNo},            // an item listed again
    {R"(-2, 3)", R"(-2, 3 \text{ or } 3)", kNo},
    {R"(a=2, b=3)", R"(a=2, b=3 \text{ or } a=2)", kNo},
};

// `[2,3,4)`: an interval has two ends and a tuple one kind of bracket, so a mismatched bracket
// around three or more entries is a typo for either `(2,3,4)` or `[2,3,4]` and read as neither
// (a false accept before: it was read as the tuple). The same text is still the same text.
const Case kMismatchedBrackets[] = {
    {R"([2,3))", R"([2,3))", kYes},
    {R"((2,3,4))", R"(\boxed{(2, 3, 4)})", kYes},
    {R"([2,3,4))", R"([2,3,4))", kYes},
    {R"(x \in [1,500))", R"([1,500))", kYes},
    {R"((2,3,4))", R"([2,3,4))", kNotCorrect},
    {R"([2,3,4])", R"([2,3,4))", kNotCorrect},
    {R"((2,3,4))", R"(\boxed{(2,3,4]})", kNotCorrect},
    {R"((1,2,3,4))", R"(The answer is $[1,2,3,4)$.)", kNotCorrect},
    {R"([2,3,4))", R"((2,3,4))", kNotCorrect},
    {R"([2,3))", R"((2,3))", kNo},
    {R"([2,3))", R"([2,3])", kNo},
};
// clang-format on

const Table kTables[] = {
    {"Labels", kLabels},
    {"NegativePoints", kNegativePoints},
    {"Chains", kChains},
    {"AssignmentsAsTuples", kAssignmentsAsTuples},
    {"IntervalsAndInequalities", kIntervalsAndInequalities},
    {"Matrices", kMatrices},
    {"CommandsAndLists", kCommandsAndLists},
    {"SameText", kSameText},
    {"Systems", kSystems},
    {"TrueRelations", kTrueRelations},
    {"SetDifferenceAndEmptySet", kSetDifferenceAndEmptySet},
    {"TuplesKeepTheirCommas", kTuplesKeepTheirCommas},
    {"Ellipses", kEllipses},
    {"TextStatements", kTextStatements},
    {"OrHedges", kOrHedges},
    {"MismatchedBrackets", kMismatchedBrackets},
};

class StructureTable : public ::testing::TestWithParam<Table> {};

TEST_P(StructureTable, EveryRowGetsItsOutcome) { table::ExpectEveryRow(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Rules, StructureTable, ::testing::ValuesIn(kTables), table::TableName);

TEST(StructureTableSize, EveryTableHasPositivesAndNegatives) {
  table::ExpectPositivesAndNegatives(kTables);
}

// --- labels.h directly. ---

Tree Parsed(const char* text) {
  ParseResult r = ParseAnswer(text, Limits{});
  EXPECT_EQ(r.status, ParseResult::Status::kOk) << text << ": " << r.error;
  return std::move(r.tree);
}

TEST(StatedValue, ReadsTheLastEqualsSideOfAChainAfterALabel) {
  Tree t = Parsed("x = 5+5+1 = 1/3 \\approx 11");
  std::optional<Statement> s = StatedValue(t, t.root);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(CanonicalForm(t, s->label), "x");
  EXPECT_EQ(CanonicalForm(t, s->value), "1/3");
}

TEST(StatedValue, IsNoneForEquationsThatAreNotDefinitions) {
  for (const char* text : {"9 = 2", "x^2 + y^2 = 1", "|x| = 3", "x = 2x - 5", "2x = 6", "x < 3",
                           "f(x) = f(1) + 2", "e x = 1"}) {
    Tree t = Parsed(text);
    EXPECT_FALSE(StatedValue(t, t.root).has_value()) << text;
  }
}

TEST(IsLabel, AcceptsNamesAndRejectsAnythingHoldingANumber) {
  for (const char* text : {"x", "(p,q)", "f(x)", "|AB|", "\\frac{NO}{BO}", "AB", "V_{1}"}) {
    Tree t = Parsed(text);
    EXPECT_TRUE(IsLabel(t, t.root)) << text;
  }
  for (const char* text : {"2x", "x^2", "|x|", "(p, 1)", "x + y", "\\pi", "e"}) {
    Tree t = Parsed(text);
    EXPECT_FALSE(IsLabel(t, t.root)) << text;
  }
}

// --- rewrite.h directly. ---

TEST(RewriteForComparison, LeavesTreesWithoutMatricesOrAbsoluteValuesAlone) {
  Tree t = Parsed("(1, 2) + x");
  Tree out;
  EXPECT_FALSE(RewriteForComparison(t, Limits{}, &out));
}

TEST(RewriteForComparison, ReadsAMatrixProductAsOneMatrix) {
  Tree t = Parsed("\\begin{pmatrix}1 & 2\\end{pmatrix}\\begin{pmatrix}3 \\\\ 4\\end{pmatrix}");
  Tree out;
  ASSERT_TRUE(RewriteForComparison(t, Limits{}, &out));
  EXPECT_EQ(CanonicalForm(out, out.root), "[1*3 + 2*4]");
}

TEST(RewriteForComparison, StopsAtTheNodeBudget) {
  // A 12x12 product needs 12*12*13 new nodes; a budget of 300 nodes cannot hold them.
  std::string m = "\\begin{pmatrix}";
  for (int r = 0; r < 12; ++r) {
    for (int c = 0; c < 12; ++c) m += c ? "&1" : (r ? "\\\\1" : "1");
  }
  m += "\\end{pmatrix}";
  Tree t = Parsed((m + m).c_str());
  Limits small;
  small.max_nodes = 300;
  Tree out;
  EXPECT_FALSE(RewriteForComparison(t, small, &out));
  EXPECT_TRUE(RewriteForComparison(t, Limits{}, &out));
}

TEST(RewriteForComparison, WritesOutSumsWithConstantBoundsOnly) {
  Tree t = Parsed("\\sum_{k=1}^{3} k^2");
  Tree out;
  ASSERT_TRUE(RewriteForComparison(t, Limits{}, &out));
  EXPECT_EQ(CanonicalForm(out, out.root), "1^2 + 2^2 + 3^2");
  Tree symbolic = Parsed("\\sum_{k=1}^{n} k");
  EXPECT_FALSE(RewriteForComparison(symbolic, Limits{}, &out));
  Tree long_sum = Parsed("\\sum_{k=1}^{1001} k");  // more than 1000 terms: left opaque
  EXPECT_FALSE(RewriteForComparison(long_sum, Limits{}, &out));
}

TEST(RewriteForComparison, ReadsAbsoluteValueBoundsAsIntervals) {
  Tree t = Parsed("1 \\le |z| < 2");
  Tree out;
  ASSERT_TRUE(RewriteForComparison(t, Limits{}, &out));
  EXPECT_EQ(CanonicalForm(out, out.root), "z in (-2, -1] U [1, 2)");
  Tree negative = Parsed("|x| < -1");  // an empty set: left as written
  EXPECT_FALSE(RewriteForComparison(negative, Limits{}, &out));
}

}  // namespace
}  // namespace verdict::math
