// Reward hacks against the JavaScript trusted harness (issue 15), through the real sandbox: each
// completion below fails its tests honestly and tries to be scored as passing anyway; each must
// earn 0. Before the harness, a JavaScript assert program passed on exit code 0, and a
// JavaScript call-based problem was refused. The same binary runs without namespaces too
// (code_js_harness_test_no_namespaces).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/verifier/code/harness_test_util.h"
#include "verifier/code/js_harness.h"
#include "verifier/code/judge.h"

namespace verdict::code {

sandbox::LinuxRunnerOptions TestRunnerOptions() {
  return RunnerOptionsAt("/tmp/verdict-sandbox-test-js-harness", 63200);
}

namespace {

// The test code travels on the harness's stdin as a JSON string, whatever it holds; neither
// program carries it.
TEST(BuildJsAssertPair, TestCodeTravelsOnlyInTheHarnessConfig) {
  const std::string test = "assert.equal(f(\"a\\\"b\"), '\\n');\n\t// é\x01";
  PairPrograms p = BuildJsAssertPair(test, "V42", 1500);
  EXPECT_EQ(p.harness_stdin,
            "{\"nonce\":\"V42\",\"test_ms\":1500,\"test\":"
            "\"assert.equal(f(\\\"a\\\\\\\"b\\\"), '\\\\n');\\n\\t// é\\u0001\"}");
  EXPECT_TRUE(p.test_file.empty());
  EXPECT_EQ(p.candidate_source.find("assert.equal(f("), std::string::npos);
  EXPECT_EQ(p.harness_source.find("assert.equal(f("), std::string::npos);
  EXPECT_NE(p.candidate_source.find("new Chan(3, 4)"), std::string::npos);
  EXPECT_NE(p.harness_source.find("vm.runInThisContext(cfg.test"), std::string::npos);
}

// add(1, 2) must be 3 and add(2, 5) 7, in MultiPL-E's shape; every hack below returns 0 or
// nothing.
CodeReference AssertRef() {
  CodeReference ref;
  ref.language = "javascript";
  ref.shape = TestShape::kAssert;
  ref.tests = {{"const assert = require('node:assert');\n"
                "function test() {\n  let candidate = add;\n"
                "  assert.deepEqual(candidate(1, 2), 3);\n}\ntest();\n",
                ""},
               {"const assert = require('node:assert');\nassert.equal(add(2, 5), 7);\n", ""}};
  ref.limits.wall_ms = 3000;
  return ref;
}

TEST(JsHarness, HonestSolutionsPassWhicheverWayTheyDeclareTheFunction) {
  for (const char* code : {
           "function add(a, b) {\n  return a + b;\n}\n",
           "const add = (a, b) => a + b;\n",
           "let add = function (a, b) { return a + b; };\n",
           "var add = (a, b) => a + b;\n",
           "'use strict';\nconst fs = require('fs');\nfunction helper(x) { return x; }\n"
           "function add(a, b) { console.log('debug', a); return helper(a) + b; }\n"
           "module.exports = {add};\n",
           "const input = require('fs').readFileSync(0, 'utf8');\n"
           "console.log('read', input.length, 'bytes');\nprocess.stdout.write('x\\n');\n"
           "function add(a, b) { return a + b; }\n",
       }) {
    std::string why;
    EXPECT_EQ(Accuracy(AssertRef(), code, &why), 1.0) << code << ": " << why;
  }
}

// Problems in the shapes of MultiPL-E (HumanEval/0, /1, /111: assert.deepEqual on booleans,
// arrays of strings, objects) and HumanEval-X (console.assert, JSON.stringify), with their
// canonical solutions and a wrong one each.
TEST(JsHarness, HumanEvalShapesPassTheirCanonicalSolutions) {
  struct Problem {
    const char* test;
    const char* canonical;
    const char* wrong;
  } problems[] = {
      {"const assert = require('node:assert');\n\nfunction test() {\n"
       "  let candidate = has_close_elements;\n"
       "  assert.deepEqual(candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3),true);\n"
       "  assert.deepEqual(candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05),false);\n"
       "  assert.deepEqual(candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95),true);\n"
       "  assert.deepEqual(candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.8),false);\n"
       "  assert.deepEqual(candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0),true);\n}\n\ntest();\n",
       "//Check if in given array of numbers, are any two numbers closer to each other than\n"
       "function has_close_elements(numbers, threshold){\n"
       "  for (let i = 0; i < numbers.length; i++)\n"
       "    for (let j = 0; j < numbers.length; j++)\n"
       "      if (i != j && Math.abs(numbers[i] - numbers[j]) < threshold) return true;\n"
       "  return false;\n}\n",
       "function has_close_elements(numbers, threshold){ return true; }\n"},
      {"const assert = require('node:assert');\n\nfunction test() {\n"
       "  let candidate = separate_paren_groups;\n"
       "  assert.deepEqual(candidate(\"(()()) ((())) () ((())()())\"),"
       "[\"(()())\", \"((()))\", \"()\", \"((())()())\"]);\n"
       "  assert.deepEqual(candidate(\"( ) (( )) (( )( ))\"),[\"()\", \"(())\", \"(()())\"]);\n"
       "}\n\ntest();\n",
       "function separate_paren_groups(paren_string){\n  const result = [];\n"
       "  let current = '';\n  let depth = 0;\n  for (const c of paren_string) {\n"
       "    if (c === '(') { depth++; current += c; }\n"
       "    else if (c === ')') { depth--; current += c;\n"
       "      if (depth === 0) { result.push(current); current = ''; } }\n  }\n"
       "  return result;\n}\n",
       "function separate_paren_groups(s){ return s.split(' '); }\n"},
      {"const assert = require('node:assert');\n\nfunction test() {\n"
       "  let candidate = histogram;\n"
       "  assert.deepEqual(candidate(\"a b b a\"),{\"a\": 2, \"b\": 2});\n"
       "  assert.deepEqual(candidate(\"r t g\"),{\"r\": 1, \"t\": 1, \"g\": 1});\n"
       "  assert.deepEqual(candidate(\"\"),{});\n}\n\ntest();\n",
       "function histogram(test){\n  const counts = {};\n"
       "  for (const w of test.split(' ')) if (w) counts[w] = (counts[w] || 0) + 1;\n"
       "  const most = Math.max(0, ...Object.values(counts));\n  const out = {};\n"
       "  for (const k in counts) if (counts[k] === most) out[k] = most;\n  return out;\n}\n",
       "function histogram(test){ return {a: 2, b: 2}; }\n"},
      {"const testSortArray = () => {\n"
       "  console.assert(JSON.stringify(sortArray([])) === JSON.stringify([]))\n"
       "  console.assert(JSON.stringify(sortArray([5])) === JSON.stringify([5]))\n"
       "  console.assert(\n    JSON.stringify(sortArray([2, 4, 3, 0, 1, 5])) ===\n"
       "    JSON.stringify([0, 1, 2, 3, 4, 5])\n  )\n"
       "  console.assert(\n    JSON.stringify(sortArray([2, 4, 3, 0, 1, 5, 6])) ===\n"
       "    JSON.stringify([6, 5, 4, 3, 2, 1, 0])\n  )\n}\n\ntestSortArray()\n",
       "const sortArray = (array) => {\n  let arr = array\n"
       "  let tot = arr[0] + arr[arr.length-1]\n  for (let j = 0; j < arr.length; j++) {\n"
       "    let ind = j\n    for (let k = j + 1; k < arr.length; k++) {\n"
       "      if ((tot % 2 == 1 && arr[k] < arr[ind]) || (tot % 2 == 0 && arr[k] > arr[ind])) {\n"
       "        ind = k\n      }\n    }\n    let tmp = arr[j]\n    arr[j] = arr[ind]\n"
       "    arr[ind] = tmp\n  }\n  return arr\n}\n",
       "const sortArray = (array) => array.sort()\n"},
  };
  for (const Problem& p : problems) {
    CodeReference ref = AssertRef();
    ref.tests = {{p.test, ""}};
    std::string why;
    EXPECT_EQ(Accuracy(ref, p.canonical, &why), 1.0) << p.canonical << ": " << why;
    EXPECT_EQ(Accuracy(ref, p.wrong, &why), 0.0) << p.wrong << ": " << why;
  }
}

// Each of these earned full marks when the candidate and the test code shared one process (an
// assert program passed on exit code 0), except the last three, which test the channel.
const Hack kHacks[] = {
    {"process.exit(0) at the top level", "function add(a, b) { return 0; }\nprocess.exit(0);\n"},
    {"process.exit(0) inside the call", "function add(a, b) { process.exit(0); }\n"},
    {"process.reallyExit(0) inside the call", "function add(a, b) { process.reallyExit(0); }\n"},
    {"process.on('exit') and 'uncaughtException' forging the exit code",
     "process.on('exit', () => { process.exitCode = 0; });\n"
     "process.on('uncaughtException', () => process.exit(0));\n"
     "function add(a, b) { return 0; }\n"},
    {"overrides assert, console.assert, console.log and process.stdout.write",
     "require('assert').deepEqual = () => {};\nrequire('node:assert').equal = () => {};\n"
     "console.log = () => {};\nconsole.assert = () => {};\n"
     "process.stdout.write = () => true;\nfunction add(a, b) { return 0; }\n"},
    {"a getter that exits 0 when the assertion reads it",
     "function add(a, b) { return {get x() { process.exit(0); }}; }\n"},
    {"reads the test code from its own files and other processes' and returns its answer",
     "const fs = require('fs');\nfunction add(a, b) {\n  const texts = [];\n"
     "  const files = [process.argv[1], 'main.js', '../test.js', '/proc/self/fd/0'];\n"
     "  for (const p of fs.readdirSync('/proc')) files.push('/proc/' + p + '/fd/0',"
     " '/proc/' + p + '/cwd/test.js', '/proc/' + p + '/cmdline');\n"
     "  for (const f of files) { try { texts.push(fs.readFileSync(f, 'utf8')); } catch (e) {} }\n"
     "  const re = new RegExp('\\\\(' + a + ', ' + b + '\\\\), (\\\\d+)');\n"
     "  for (const t of texts) { const m = re.exec(t); if (m) return Number(m[1]); }\n"
     "  return 0;\n}\n"},
    {"prints forged report lines on every descriptor",
     "const fs = require('fs');\nfunction add(a, b) {\n"
     "  for (let fd = 1; fd < 10; fd++) {\n"
     "    try { fs.writeSync(fd, '\\nV1 0 PASS 1.0 \\n{\"ok\":3}\\n'); } catch (e) {}\n"
     "  }\n  return 0;\n}\n"},
    {"a getter that throws",
     "function add(a, b) { return {get x() { throw new Error('no'); }}; }\n"},
    {"a Proxy that claims every property",
     "function add(a, b) { return new Proxy({}, {get: () => 3, ownKeys: () => [],"
     " has: () => true}); }\n"},
};

TEST(JsHarness, HacksEarnZero) { ExpectHacksEarnZero(AssertRef(), kHacks); }

// Loose comparisons (assert.equal, ==) call valueOf and friends: only plain data crosses, and
// the harness's prototypes are its own.
TEST(JsHarness, ObjectsThatTrickALooseComparisonEarnZero) {
  CodeReference ref = AssertRef();
  ref.tests = {{"const assert = require('node:assert');\nassert.equal(add(1, 2), 3);\n", ""},
               {"console.assert(add(1, 2) == 3);\n", ""}};
  const Hack hacks[] = {
      {"valueOf and toString of its own",
       "function add(a, b) { return {valueOf() { return 3; }, toString() { return '3'; }}; }\n"},
      {"a class whose valueOf, toString, toPrimitive and equals say 3",
       "class Three { valueOf() { return 3; } toString() { return '3'; }\n"
       "  equals() { return true; } [Symbol.toPrimitive]() { return 3; } }\n"
       "function add(a, b) { return new Three(); }\n"},
      {"patched Object.prototype, Array.prototype and Object.is",
       "Object.prototype.valueOf = function () { return 3; };\n"
       "Object.prototype.equals = () => true;\nArray.prototype.every = () => true;\n"
       "Object.is = () => true;\nfunction add(a, b) { return {}; }\n"},
  };
  std::string why;
  EXPECT_EQ(Accuracy(ref, "const add = (a, b) => a + b;\n", &why), 1.0) << why;
  ExpectHacksEarnZero(ref, hacks);
}

TEST(JsHarness, TestThatSwallowsEveryExceptionStillFailsWhenTheCandidateExits) {
  CodeReference ref = AssertRef();
  ref.tests = {{"try { add(1, 2); } catch (e) {}\n", ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref, "function add(a, b) { process.exit(0); }\n", &why), 0.0) << why;
  EXPECT_EQ(Accuracy(ref, "function add(a, b) { return 3; }\n", &why), 1.0) << why;
}

// A test that calls a bare assert(...) gets node's, never a candidate function of that name.
TEST(JsHarness, BareAssertIsNodesNotTheCandidates) {
  CodeReference ref = AssertRef();
  ref.tests = {{"assert(add(1, 2) === 3);\n", ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref, "function add(a, b) { return a + b; }\n", &why), 1.0) << why;
  EXPECT_EQ(Accuracy(ref, "function assert(x) {}\nfunction add(a, b) { return 0; }\n", &why), 0.0)
      << why;
}

// HumanEval-X's JavaScript tests only console.assert (which prints and goes on in node): in
// the harness a false console.assert fails the test.
TEST(JsHarness, HumanEvalXConsoleAssertFails) {
  CodeReference ref = AssertRef();
  ref.tests = {
      {"const testAdd = () => {\n  console.assert(add(1, 2) === 3)\n"
       "  console.assert(add(2, 5) === 7)\n}\ntestAdd()\n",
       ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref, "const add = (a, b) => a + b\n", &why), 1.0) << why;
  EXPECT_EQ(Accuracy(ref, "const add = (a, b) => a * b\n", &why), 0.0) << why;
}

// Asynchronous test code: a rejection after the script ran still fails the test.
TEST(JsHarness, AsynchronousFailuresCount) {
  CodeReference ref = AssertRef();
  ref.tests = {
      {"const assert = require('node:assert');\n"
       "(async () => { await null; assert.equal(add(1, 2), 3); })();\n"
       "setTimeout(() => assert.equal(add(2, 5), 7), 10);\n",
       ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref, "const add = (a, b) => a + b\n", &why), 1.0) << why;
  EXPECT_EQ(Accuracy(ref, "const add = (a, b) => a === 1 ? 3 : 0\n", &why), 0.0) << why;
  EXPECT_EQ(Accuracy(ref, "const add = (a, b) => a === 2 ? 7 : 0\n", &why), 0.0) << why;
}

// The test code's own exit status counts as node's would (the candidate's never does).
TEST(JsHarness, TestCodeThatExitsKeepsItsStatus) {
  CodeReference ref = AssertRef();
  ref.tests = {{"if (add(1, 2) !== 3) process.exit(1);\nprocess.exit(0);\n", ""},
               {"if (add(2, 5) !== 7) process.exitCode = 1;\n", ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref, "const add = (a, b) => a + b\n", &why), 1.0) << why;
  EXPECT_EQ(Accuracy(ref, "const add = (a, b) => 0\n", &why), 0.0) << why;
  EXPECT_EQ(Accuracy(ref, "const add = (a, b) => { process.exitCode = 0; return 0; }\n", &why), 0.0)
      << why;
}

TEST(JsHarness, PlainValuesCrossWithTheirTypes) {
  CodeReference ref = AssertRef();
  ref.tests = {
      {"const assert = require('node:assert');\nconst r = f([1, {k: 'v'}]);\n"
       "assert.strictEqual(r.length, 15);\nassert.ok(Object.is(r[1], -0));\n"
       "assert.ok(Number.isNaN(r[2]));\nassert.strictEqual(r[3], Infinity);\n"
       "assert.strictEqual(r[4], -Infinity);\nassert.strictEqual(r[5], 10n ** 30n);\n"
       "assert.strictEqual(r[6], -5n);\nassert.strictEqual(r[7], 'é\\ud800\\n');\n"
       "assert.strictEqual(r[8], null);\nassert.ok(8 in r && r[9] === undefined && 9 in r);\n"
       "assert.deepStrictEqual(r[10], {a: [1.5], ['__proto__']: 2});\n"
       "assert.strictEqual(Object.getPrototypeOf(r[10]), Object.prototype);\n"
       "assert.deepStrictEqual(r[11], new Map([[1, 'x']]));\n"
       "assert.deepStrictEqual(r[12], new Set([3]));\n"
       "assert.deepStrictEqual(r[13], [undefined, 1]);\n"
       "assert.deepStrictEqual(r[14], [1, {k: 'v'}]);\n",
       ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref,
                     "function f(arg) {\n  const o = {a: [1.5]};\n"
                     "  Object.defineProperty(o, '__proto__', {value: 2, enumerable: true});\n"
                     "  return [1, -0, NaN, Infinity, -Infinity, 10n ** 30n, -5n, 'é\\ud800\\n',"
                     " null, undefined, o, new Map([[1, 'x']]), new Set([3]), [, 1], arg];\n}\n",
                     &why),
            1.0)
      << why;
  // Arguments are copies: the candidate's mutation is not seen by the test.
  ref.tests = {
      {"const assert = require('node:assert');\nconst a = [1];\nf(a);\n"
       "assert.deepStrictEqual(a, [1]);\n",
       ""}};
  EXPECT_EQ(Accuracy(ref, "function f(a) { a.push(2); return null; }\n", &why), 1.0) << why;
}

TEST(JsHarness, CandidateExceptionsKeepTheirBuiltinType) {
  CodeReference ref = AssertRef();
  ref.tests = {
      {"const assert = require('node:assert');\n"
       "assert.throws(() => add(1, 2), RangeError);\n"
       "assert.throws(() => add(-1, 2), {name: 'MyError', message: 'custom'});\n",
       ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref,
                     "class MyError extends Error { constructor(m) { super(m);"
                     " this.name = 'MyError'; } }\n"
                     "function add(a, b) { if (a < 0) throw new MyError('custom');"
                     " throw new RangeError('no'); }\n",
                     &why),
            1.0)
      << why;
}

TEST(JsHarness, FailuresKeepTheirKinds) {
  struct Case {
    const char* code;
    Verdict verdict;
  } cases[] = {
      {"function add(a, b) { return 0; }\n", Verdict::kWrongAnswer},
      {"function add(a, b) { return null.x; }\n", Verdict::kRuntimeError},
      {"function add(a, b) { return () => 3; }\n", Verdict::kRuntimeError},
      {"function add(a, b) { while (true) {} }\n", Verdict::kTimeLimit},
      {"function add(a, b) {\n  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);\n}\n",
       Verdict::kTimeLimit},
      {"Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);\n", Verdict::kTimeLimit},
      {"function add(a, b) { return add(a, b); }\n", Verdict::kRuntimeError},
      {"function add(a, b) {\n", Verdict::kRuntimeError},
      {"function add(a, b) { process.exit(3); }\n", Verdict::kRuntimeError},
      {"function add(a, b) { process.exit(0); }\n", Verdict::kRuntimeError},
  };
  CodeReference ref = AssertRef();
  ref.tests.resize(1);
  ref.limits.cpu_ms = 1000;
  ref.limits.wall_ms = 2000;
  for (const Case& c : cases) {
    auto v = JudgeProgram(ref, c.code, SharedRunner(), {}, nullptr);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->verdict, c.verdict) << c.code << ": " << v->reason;
  }
}

// Call-based problems (issue 15): the harness holds the arguments and expected values and
// calls the candidate's function across the pipe; the expected values travel only in the
// harness's config, as JSON strings.
TEST(BuildJsCallPair, CasesTravelOnlyInTheHarnessConfig) {
  std::vector<TestCase> tests = {{"[1, \"a\"]", "{\"k\": [2]}"}, {"[]", "null"}};
  absl::StatusOr<PairPrograms> p = BuildJsCallPair("solve$", tests, 700, true, "V7");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(
      p->harness_stdin,
      "{\"mode\":\"call\",\"nonce\":\"V7\",\"fn\":\"solve$\",\"per_case_ms\":700,"
      "\"stop\":true,\"cases\":[[\"[1, \\\"a\\\"]\",\"{\\\"k\\\": [2]}\"],[\"[]\",\"null\"]]}");
  EXPECT_TRUE(p->test_file.empty());
  EXPECT_EQ(p->candidate_source.find("\"k\""), std::string::npos);
  EXPECT_EQ(p->harness_source.find("\"k\""), std::string::npos);
}

TEST(BuildJsCallPair, RejectsABadNameOrACaseWithoutJson) {
  std::vector<TestCase> tests = {{"[1]", "2"}};
  for (const char* name : {"", "a.b", "f()", "1f", "x;process.exit(0)"}) {
    absl::StatusOr<PairPrograms> p = BuildJsCallPair(name, tests, 700, false, "V7");
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(p.status().message(), absl::StrCat("bad fn_name '", name, "'"));
  }
  tests.push_back({"[1]", ""});
  absl::StatusOr<PairPrograms> p = BuildJsCallPair("f", tests, 700, false, "V7");
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message(), "call-based test 1 lacks JSON");
}

// add(1, 2) must be 3 and add(2, 5) 7, as JSON arguments and results.
CodeReference CallRef() {
  CodeReference ref;
  ref.language = "javascript";
  ref.shape = TestShape::kCallBased;
  ref.fn_name = "add";
  ref.tests = {{"[1, 2]", "3"}, {"[2, 5]", "7"}};
  ref.limits.wall_ms = 3000;
  return ref;
}

TEST(JsCallBased, HonestSolutionsPassWhicheverWayTheyDeclareTheFunction) {
  for (const char* code : {
           "function add(a, b) {\n  return a + b;\n}\n",
           "const add = (a, b) => a + b;\n",
           "var add = function (a, b) { console.log('debug'); return a + b; };\n",
           "class Solution {\n  add(a, b) { return this.plus(a, b); }\n"
           "  plus(a, b) { return a + b; }\n}\n",
       }) {
    std::string why;
    EXPECT_EQ(Accuracy(CallRef(), code, &why), 1.0) << code << ": " << why;
  }
}

// LeetCode-like problems with arrays, strings, objects, nulls and floats: the canonical
// solution passes, a wrong one fails. Floats compare exactly, as on Python's path.
TEST(JsCallBased, CanonicalSolutionsPassAndWrongOnesFail) {
  struct Problem {
    const char* fn;
    std::vector<TestCase> tests;
    const char* canonical;
    const char* wrong;
  } problems[] = {
      {"twoSum",
       {{"[[2, 7, 11, 15], 9]", "[0, 1]"}, {"[[3, 2, 4], 6]", "[1, 2]"}, {"[[3, 3], 6]", "[0, 1]"}},
       "var twoSum = function(nums, target) {\n  const seen = new Map();\n"
       "  for (let i = 0; i < nums.length; i++) {\n"
       "    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n"
       "    seen.set(nums[i], i);\n  }\n};\n",
       "var twoSum = function(nums, target) { return [0, 1]; };\n"},
      {"histogram",
       {{"[\"a b b a\"]", "{\"b\": 2, \"a\": 2}"}, {"[\"\"]", "{}"}, {"[\"r\"]", "{\"r\": 1}"}},
       "function histogram(s) {\n  const c = {};\n"
       "  for (const w of s.split(' ')) if (w) c[w] = (c[w] || 0) + 1;\n"
       "  const most = Math.max(0, ...Object.values(c));\n  const out = {};\n"
       "  for (const k in c) if (c[k] === most) out[k] = most;\n  return out;\n}\n",
       "function histogram(s) { return {a: 2, b: 2, r: undefined}; }\n"},
      {"firstOrNull",
       {{"[[]]", "null"}, {"[[[1, \"x\"], 2]]", "[1, \"x\"]"}},
       "const firstOrNull = (xs) => xs.length ? xs[0] : null;\n",
       "const firstOrNull = (xs) => xs.length ? xs[0] : [];\n"},
      {"mean",
       {{"[[0.1, 0.2]]", "0.15000000000000002"}, {"[[1, 2]]", "1.5"}, {"[[-1, 1]]", "0"}},
       "function mean(xs) { return xs.reduce((a, b) => a + b, 0) / xs.length; }\n",
       "function mean(xs) { return Math.round(xs.reduce((a, b) => a + b, 0) / xs.length * 10)"
       " / 10; }\n"},
  };
  for (const Problem& p : problems) {
    CodeReference ref = CallRef();
    ref.fn_name = p.fn;
    ref.tests = p.tests;
    std::string why;
    EXPECT_EQ(Accuracy(ref, p.canonical, &why), 1.0) << p.canonical << ": " << why;
    EXPECT_LT(Accuracy(ref, p.wrong, &why), 1.0) << p.wrong << ": " << why;
    EXPECT_GE(Accuracy(ref, p.wrong, &why), 0.0) << p.wrong << ": " << why;
  }
}

// Each returns a wrong answer or none and tries to be scored as passing anyway.
const Hack kCallHacks[] = {
    {"process.exit(0) at the top level", "function add(a, b) { return 0; }\nprocess.exit(0);\n"},
    {"process.exit(0) inside the call", "function add(a, b) { process.exit(0); }\n"},
    {"process.reallyExit(0) inside the call", "function add(a, b) { process.reallyExit(0); }\n"},
    {"throws", "function add(a, b) { throw new Error('3'); }\n"},
    {"throws a non-error", "function add(a, b) { throw 3; }\n"},
    {"an infinite loop", "function add(a, b) { for (;;) {} }\n"},
    {"valueOf, toString, toJSON and toPrimitive of its own",
     "function add(a, b) { return {valueOf() { return 3; }, toString() { return '3'; },\n"
     "  toJSON() { return 3; }, [Symbol.toPrimitive]() { return 3; }}; }\n"},
    {"a class instance that says 3 every way",
     "class Three { valueOf() { return 3; } toJSON() { return 3; } toString() { return '3'; } }\n"
     "function add(a, b) { return new Three(); }\n"},
    {"a Proxy that claims every property",
     "function add(a, b) { return new Proxy({}, {get: () => 3, ownKeys: () => [],"
     " has: () => true, getPrototypeOf: () => Number.prototype}); }\n"},
    {"a Proxy of an array", "function add(a, b) { return new Proxy([], {get: () => 3}); }\n"},
    {"a getter that exits 0 when read",
     "function add(a, b) { return {get x() { process.exit(0); }}; }\n"},
    {"a Map, a Set or a BigInt of the answer",
     "function add(a, b) { return [new Map([[0, a + b]]), new Set([a + b]), BigInt(a + b)]"
     "[a - 1]; }\n"},
    {"patched JSON, Object.is, Object.keys and Array.isArray at the top level",
     "JSON.stringify = () => '3';\nJSON.parse = () => 3;\nObject.is = () => true;\n"
     "Object.keys = () => [];\nArray.isArray = () => true;\n"
     "Object.prototype.valueOf = function () { return 3; };\n"
     "function add(a, b) { return {}; }\n"},
    {"patched JSON, Object.is, Array.prototype and Object.prototype inside the call",
     "function add(a, b) {\n  JSON.stringify = () => '{\"ok\":3}';\nObject.is = () => true;\n"
     "  Array.prototype.every = () => true;\n  Array.prototype.map = function () { return 3; };\n"
     "  Object.prototype.toJSON = function () { return 3; };\n  return {};\n}\n"},
    {"prints forged report lines and protocol replies on every descriptor",
     "const fs = require('fs');\nfunction add(a, b) {\n"
     "  for (let fd = 1; fd < 10; fd++) {\n"
     "    try { fs.writeSync(fd, '\\nV1 0 PASS 1.0 \\nV1 1 PASS 1.0 "
     "\\n{\"ok\":3}\\n{\"ok\":7}\\n');"
     " } catch (e) {}\n  }\n  return 0;\n}\n"},
    {"exit handlers and exit codes forged at the top level",
     "process.on('exit', () => { process.exitCode = 0; });\n"
     "process.on('uncaughtException', () => process.exit(0));\n"
     "function add(a, b) { null.x; }\n"},
};

TEST(JsCallBased, HacksEarnZero) { ExpectHacksEarnZero(CallRef(), kCallHacks); }

// The expected values are nowhere the candidate can look: not in its process (memory, stdin,
// argv, environment, channel), its work dir, /tmp, nor other processes' /proc entries (those
// near its own pid where /proc cannot be listed).
TEST(JsCallBased, ExpectedValuesAreNotInTheCandidatesReach) {
  CodeReference ref = CallRef();
  ref.fn_name = "secret";
  ref.tests = {{"[\"zq-arg-marker\"]", "\"zq-expected-one\""},
               {"[\"zq-arg-marker\"]", "\"zq-expected-two\""}};
  const std::string scan =
      "const fs = require('fs');\n"
      "function texts() {\n  const out = [process.argv.join(' '), JSON.stringify(process.env)];\n"
      "  const files = ['/proc/self/fd/0', '/proc/self/fd/3', 'main.js', 'solution.js'];\n"
      "  for (const dir of ['.', '..', '/tmp']) {\n"
      "    try { for (const f of fs.readdirSync(dir)) files.push(dir + '/' + f); } catch (e) {}\n"
      "  }\n"
      "  let pids = [];\n  try {\n    pids = fs.readdirSync('/proc');\n  } catch (e) {\n"
      "    for (let p = process.pid - 2000; p < process.pid + 2000; p++) pids.push(p);\n  }\n"
      "  for (const p of pids) {\n"
      "    for (const f of ['fd/0', 'cmdline', 'environ', 'cwd/main.js']) {\n"
      "      files.push('/proc/' + p + '/' + f);\n    }\n  }\n"
      "  const buf = Buffer.alloc(1 << 20);\n"
      "  for (const f of files) {\n"
      "    try {\n      const fd = fs.openSync(f, fs.constants.O_RDONLY | "
      "fs.constants.O_NONBLOCK);\n"
      "      const n = fs.readSync(fd, buf, 0, buf.length, null);\n"
      "      out.push(buf.toString('utf8', 0, n));\n    } catch (e) {}\n  }\n"
      "  return out.join('\\n');\n}\n";
  std::string why;
  // The scan reads what is in reach: its own source holds the marker below.
  CodeReference control = ref;
  control.tests = {{"[]", "\"found\""}};
  EXPECT_EQ(Accuracy(control,
                     scan + "function secret() {\n"
                            "  return texts().includes('zq-own-' + 'marker') ? 'found' : '';\n}\n"
                            "// zq-own-marker\n",
                     &why),
            1.0)
      << why;
  EXPECT_EQ(Accuracy(ref,
                     scan + "function secret(x) { const m = /zq-expected-[a-z]+/.exec(texts());\n"
                            "  return m ? m[0] : 'none'; }\n",
                     &why),
            0.0)
      << why;
}

TEST(JsCallBased, FailuresKeepTheirKindsAndLaterCasesStillRun) {
  struct Case {
    const char* code;
    Verdict verdict;
    int passed;  // of the two cases (add(1, 2), add(2, 5))
  } cases[] = {
      {"function add(a, b) { return a === 1 ? 0 : a + b; }\n", Verdict::kWrongAnswer, 1},
      {"function add(a, b) { if (a === 1) return null.x; return a + b; }\n", Verdict::kRuntimeError,
       1},
      {"function add(a, b) { if (a === 1) return new Set(); return a + b; }\n",
       Verdict::kRuntimeError, 1},
      {"function add(a, b) { if (a === 1) for (;;) {} return a + b; }\n", Verdict::kTimeLimit, 1},
      {"function add(a, b) {\n  if (a === 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),"
       " 0, 0);\n  return a + b;\n}\n",
       Verdict::kTimeLimit, 1},
      // A read of its own request pipe blocks in the kernel, where the candidate's watchdog
      // cannot stop it: the harness gives up a second later, and no case follows.
      {"const fs = require('fs');\nfunction add(a, b) {\n"
       "  if (a === 1) fs.readSync(3, Buffer.alloc(1));\n"
       "  return a + b;\n}\n",
       Verdict::kTimeLimit, 0},
      {"function add(a, b) { if (a === 1) process.exit(0); return a + b; }\n",
       Verdict::kRuntimeError, 0},
      {"function sub(a, b) { return a + b; }\n", Verdict::kRuntimeError, 0},
      {"function add(a, b) {\n", Verdict::kRuntimeError, 0},
      {"function add(a, b) { return a + b; }\nwhile (true) {}\n", Verdict::kTimeLimit, 0},
  };
  CodeReference ref = CallRef();
  ref.limits.cpu_ms = 1000;
  ref.limits.wall_ms = 1000;
  for (const Case& c : cases) {
    auto v = JudgeProgram(ref, c.code, SharedRunner(), {}, nullptr);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->tests[0].verdict, c.verdict) << c.code << ": " << v->reason;
    EXPECT_EQ(v->passed, c.passed) << c.code << ": " << v->reason;
    EXPECT_EQ(v->accuracy, c.passed / 2.0) << c.code;
  }
}

}  // namespace
}  // namespace verdict::code
