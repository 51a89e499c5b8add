#include "verifier/code/harness.h"

#include "absl/strings/str_cat.h"
#include "re2/re2.h"

namespace verdict::code {
namespace {

constexpr char kDriver[] = R"PY(import json, os, signal, sys, time, io
def _verdict_main():
    data = json.loads(sys.stdin.read())
    nonce, fn_name, per_case = data['nonce'], data['fn'], data['per_case_ms'] / 1000.0
    out = os.fdopen(os.dup(1), 'w')
    sys.stdin = io.StringIO('')
    def report(i, status, ms, msg=''):
        out.write('%s %d %s %.3f %s\n' % (nonce, i, status, ms, msg.replace('\n', ' ')[:200]))
        out.flush()
    class _Timeout(BaseException):
        pass
    def on_alarm(sig, frame):
        raise _Timeout()
    signal.signal(signal.SIGALRM, on_alarm)
    ns = {'__name__': '__main__'}
    sys.stdout = io.StringIO()
    try:
        with open('solution.py') as f:
            src = f.read()
        exec(compile(src, 'solution.py', 'exec'), ns)
        fn = ns.get(fn_name)
        if fn is None and 'Solution' in ns:
            fn = getattr(ns['Solution'](), fn_name)
        if fn is None:
            raise NameError('function %s not defined' % fn_name)
    except BaseException as e:
        for i in range(len(data['cases'])):
            report(i, 'ERROR', 0, 'load: %s: %s' % (type(e).__name__, e))
        return
    for i, (args, expected) in enumerate(data['cases']):
        sys.stdout = io.StringIO()
        t0 = time.monotonic()
        status, msg = 'PASS', ''
        try:
            signal.setitimer(signal.ITIMER_REAL, per_case)
            try:
                got = fn(*args)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            got = json.loads(json.dumps(got))
            if got != expected:
                status, msg = 'WRONG', 'expected %s, got %s' % (json.dumps(expected)[:80], json.dumps(got)[:80])
        except _Timeout:
            status = 'TIMEOUT'
        except MemoryError:
            status, msg = 'ERROR', 'MemoryError'
        except BaseException as e:
            status, msg = 'ERROR', '%s: %s' % (type(e).__name__, e)
        report(i, status, (time.monotonic() - t0) * 1000, msg)
        if status != 'PASS' and data['stop']:
            return
_verdict_main()
)PY";

}  // namespace

std::string BuildAssertProgram(std::string_view solution, std::string_view test_code) {
  return absl::StrCat(std::string(solution), "\n", std::string(test_code), "\n");
}

absl::StatusOr<CallHarness> BuildPythonCallHarness(std::string_view fn_name,
                                                   const std::vector<TestCase>& tests,
                                                   int64_t per_case_ms, bool stop_on_failure,
                                                   std::string_view nonce) {
  if (!RE2::FullMatch(std::string(fn_name), "[A-Za-z_][A-Za-z0-9_]*")) {
    return absl::InvalidArgumentError(absl::StrCat("bad fn_name '", std::string(fn_name), "'"));
  }
  CallHarness h;
  h.driver_source = kDriver;
  std::string cases;
  for (size_t i = 0; i < tests.size(); ++i) {
    if (tests[i].input.empty() || tests[i].expected.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("call-based test ", i, " lacks JSON"));
    }
    absl::StrAppend(&cases, i ? "," : "", "[", tests[i].input, ",", tests[i].expected, "]");
  }
  h.stdin_data = absl::StrCat("{\"nonce\":\"", std::string(nonce), "\",\"fn\":\"",
                              std::string(fn_name), "\",\"per_case_ms\":", per_case_ms,
                              ",\"stop\":", stop_on_failure ? "true" : "false", ",\"cases\":[",
                              cases, "]}");
  return h;
}

}  // namespace verdict::code
