#include "verifier/code/python_harness.h"

#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "re2/re2.h"

namespace verdict::code {
namespace {

// Shared by both programs: the plain-data codec and the line channel.
constexpr char kCommon[] = R"PY(import os, sys


class _Unsendable(Exception):
    pass


class _Closed(Exception):
    pass


_INF = float('inf')


def _enc(v, d=0):
    # Plain data only: every value is rebuilt from builtin types, nothing else crosses.
    if d > 100:
        raise _Unsendable('value nested deeper than 100')
    t = type(v)
    if v is None or t is bool or t is str:
        return v
    if t is int:
        return v if -(1 << 53) < v < (1 << 53) else {'i': format(v, 'x')}
    if t is float:
        return v if v == v and v != _INF and v != -_INF else {'f': repr(v)}
    if t is list:
        return [_enc(x, d + 1) for x in v]
    if t is tuple:
        return {'t': [_enc(x, d + 1) for x in v]}
    if t is set or t is frozenset:
        return {'s' if t is set else 'fs': [_enc(x, d + 1) for x in v]}
    if t is dict:
        return {'d': [[_enc(k, d + 1), _enc(x, d + 1)] for k, x in v.items()]}
    if t is bytes or t is bytearray:
        return {'b' if t is bytes else 'ba': v.hex()}
    if t is complex:
        return {'c': [repr(v.real), repr(v.imag)]}
    # Subclasses of those types (an IntEnum, a namedtuple, a Counter) cross as the base type.
    if isinstance(v, int):
        return _enc(int.__int__(v), d + 1)
    if isinstance(v, float):
        return _enc(float.__float__(v), d + 1)
    if isinstance(v, str):
        return _enc(str.__str__(v), d + 1)
    for base in (list, tuple, set, frozenset, dict, bytes, bytearray):
        if isinstance(v, base):
            return _enc(base(v), d + 1)
    raise _Unsendable('a value of type %s, which cannot cross the harness boundary' % t.__name__)


def _dec(v, d=0):
    if d > 100:
        raise ValueError('value nested deeper than 100')
    t = type(v)
    if v is None or t is bool or t is int or t is float or t is str:
        return v
    if t is list:
        return [_dec(x, d + 1) for x in v]
    if t is dict and len(v) == 1:
        (k, x), = v.items()
        tx = type(x)
        if k == 'i' and tx is str:
            return int(x, 16)
        if k == 'f' and x in ('nan', 'inf', '-inf'):
            return float(x)
        if k == 'b' and tx is str:
            return bytes.fromhex(x)
        if k == 'ba' and tx is str:
            return bytearray.fromhex(x)
        if k == 'c' and tx is list and len(x) == 2 and type(x[0]) is str and type(x[1]) is str:
            return complex(float(x[0]), float(x[1]))
        if tx is list:
            if k == 't':
                return tuple([_dec(y, d + 1) for y in x])
            if k == 's':
                return set([_dec(y, d + 1) for y in x])
            if k == 'fs':
                return frozenset([_dec(y, d + 1) for y in x])
            if k == 'd' and all(type(p) is list and len(p) == 2 for p in x):
                return {_dec(p[0], d + 1): _dec(p[1], d + 1) for p in x}
    raise ValueError('malformed value')


def _json_codec():
    # The C parts of the json package: importing json itself (re, enum) costs ~9 ms a process.
    try:
        import _json

        class Ctx:
            strict, object_hook, object_pairs_hook = True, None, None
            parse_float, parse_int = float, int
            parse_constant = staticmethod(lambda n: float(n.replace('Infinity', 'inf')))

        scan = _json.make_scanner(Ctx())
        def default(v):
            raise TypeError('Object of type %s is not JSON serializable' % type(v).__name__)

        enc = _json.make_encoder(None, default, _json.encode_basestring_ascii, None, ':', ',',
                                 False, False, True)

        def loads(s):
            try:
                v, end = scan(s, 0)
            except StopIteration:
                raise ValueError('malformed JSON')
            if end != len(s):
                raise ValueError('malformed JSON')
            return v

        return (lambda v: ''.join(enc(v, 0))), loads
    except (ImportError, AttributeError, TypeError):
        import json
        return (lambda v: json.dumps(v, separators=(',', ':'))), json.loads


_dumps, _loads = _json_codec()


class _Chan:
    # One JSON object per line each way; reads bounded in size and, when asked, in time.
    LIMIT = 64 << 20

    def __init__(self, rfd, wfd):
        self.r, self.w, self.buf = rfd, wfd, bytearray()

    def send(self, obj):
        data = (_dumps(obj) + '\n').encode()
        try:
            while data:
                data = data[os.write(self.w, data):]
        except OSError:
            raise _Closed('the channel is closed')

    def recv(self, timeout=None):
        import select, time
        deadline = None if timeout is None else time.monotonic() + timeout
        start = 0
        while True:
            nl = self.buf.find(b'\n', start)
            if nl >= 0:
                line = self.buf[:nl].decode()
                del self.buf[:nl + 1]
                return _loads(line)
            start = len(self.buf)
            if start > self.LIMIT:
                raise _Closed('a message over %d bytes' % self.LIMIT)
            if deadline is not None:
                left = deadline - time.monotonic()
                p = select.poll()
                p.register(self.r, select.POLLIN)
                if left <= 0 or not p.poll(max(1, int(left * 1000))):
                    raise TimeoutError()
            try:
                chunk = os.read(self.r, 1 << 16)
            except OSError:
                chunk = b''
            if not chunk:
                raise _Closed('the channel is closed')
            self.buf += chunk
)PY";

constexpr char kCandidateServer[] = R"PY(

class _Timeout(BaseException):
    pass


def _serve():
    # The protocol keeps the original stdin/stdout; the solution gets an empty stdin and its
    # output goes to stderr (prints are discarded), so it cannot write on the protocol by
    # accident. It can on purpose: a forged reply is no more than a returned value.
    chan = _Chan(os.dup(0), os.dup(1))
    chan.send({'started': 1})  # the judge's load timer starts here, after the interpreter's
    r, w = os.pipe()
    os.close(w)
    os.dup2(r, 0)
    os.close(r)
    os.dup2(2, 1)

    class Null:
        def write(self, s):
            return len(s)

        def flush(self):
            pass

    sys.stdout = Null()
    import signal

    def on_alarm(sig, frame):
        raise _Timeout()

    signal.signal(signal.SIGALRM, on_alarm)
    ns = {'__name__': '__main__'}
    names = {}
    try:
        with open('solution.py') as f:
            src = f.read()
        exec(compile(src, 'solution.py', 'exec'), ns)
        for k, v in list(ns.items()):
            if k.startswith('__') and k.endswith('__'):
                continue
            if type(v) is type(sys):
                names[k] = ['m', getattr(v, '__name__', '')]
            elif callable(v):
                names[k] = ['f']
            else:
                try:
                    names[k] = ['v', _enc(v)]
                except Exception:
                    pass
        chan.send({'names': names})
    except BaseException as e:
        chan.send({'error': '%s: %s' % (type(e).__name__, e)})
        return
    instances = {}
    while True:
        try:
            req = chan.recv()
        except _Closed:
            return
        reply = None
        try:
            name = req['name']
            if name in ns:
                fn = ns[name]
            else:
                cls, _, attr = name.partition('.')
                if cls not in instances:
                    instances[cls] = ns[cls]()
                fn = getattr(instances[cls], attr)
            args = [_dec(a) for a in req['args']]
            kwargs = {k: _dec(a) for k, a in req.get('kwargs', {}).items()}
            ms = req.get('timeout_ms', 0)
            try:
                if ms:
                    signal.setitimer(signal.ITIMER_REAL, ms / 1000.0)
                try:
                    got = fn(*args, **kwargs)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except _Timeout:
                reply = {'timeout': 1}
            if reply is None:
                try:
                    reply = {'ok': _enc(got)}
                except _Unsendable as e:
                    reply = {'bad': str(e)}
        except _Timeout:
            reply = {'timeout': 1}
        except BaseException as e:
            try:
                mro = [c.__name__ for c in type(e).__mro__]
                reply = {'exc': mro, 'msg': str(e)[:1000]}
            except BaseException:
                reply = {'exc': ['Exception'], 'msg': ''}
        try:
            chan.send(reply)
        except _Closed:
            return


try:
    _serve()
except _Closed:
    pass
# At the end of its requests the server leaves at once: the solution's atexit handlers and the
# interpreter's teardown would only delay the end of the pair.
os._exit(0)
)PY";

constexpr char kHarness[] = R"PY(

class CandidateError(Exception):
    """An exception raised by the candidate with no builtin exception type in its MRO."""


class _TestTimeout(BaseException):
    pass


class _Abort(BaseException):
    # The candidate died, timed out or sent what is not plain data: the test fails, whatever
    # the test code does with the exception.
    pass


class _Link:
    def __init__(self, chan, call_timeout=None):
        self.chan, self.call_timeout, self.failure, self.dead = chan, call_timeout, None, False

    def fail(self, kind, msg, dead=False):
        if self.failure is None:
            self.failure = (kind, msg)
        self.dead |= dead
        raise _Abort(msg)

    def call(self, name, args, kwargs=None, timeout_ms=0):
        if self.dead or self.failure is not None:
            raise _Abort(self.failure[1] if self.failure else 'the candidate is gone')
        try:
            req = {'name': name, 'args': [_enc(a) for a in args]}
            if kwargs:
                req['kwargs'] = {str(k): _enc(a) for k, a in kwargs.items()}
        except _Unsendable as e:
            self.fail('ERROR', 'argument: %s' % e)
        if timeout_ms:
            req['timeout_ms'] = timeout_ms
        try:
            self.chan.send(req)
            reply = self.chan.recv(self.call_timeout)
        except TimeoutError:
            self.fail('TIMEOUT', 'no reply from the candidate in time', True)
        except _Closed:
            self.fail('DIED', 'the candidate exited during a call', True)
        except Exception as e:
            self.fail('ERROR', 'malformed reply from the candidate: %s' % type(e).__name__)
        exc = None
        try:
            if type(reply) is not dict or len(reply) == 0:
                raise ValueError()
            if 'ok' in reply:
                return _dec(reply['ok'])
            if 'timeout' in reply:
                kind, msg = 'TIMEOUT', 'the call ran past its time limit'
            elif 'bad' in reply:
                kind, msg = 'ERROR', 'the candidate returned %s' % str(reply['bad'])[:200]
            else:
                mro, msg = reply['exc'], reply['msg']
                if type(mro) is not list or not mro or type(msg) is not str:
                    raise ValueError()
                exc = _rebuild([str(n) for n in mro], msg)
        except (ValueError, TypeError, KeyError, RecursionError, MemoryError):
            self.fail('ERROR', 'malformed reply from the candidate')
        if exc is None:
            self.fail(kind, msg)
        raise exc


def _rebuild(mro, msg):
    # The candidate's exception as the first builtin exception type of its MRO, so tests that
    # expect a ValueError still see one; its own name leads the message.
    import builtins
    text = msg if hasattr(builtins, mro[0]) else '%s: %s' % (mro[0], msg)
    for n in mro:
        cls = getattr(builtins, n, None)
        if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == 'builtins':
            try:
                e = cls(text)
                break
            except Exception:
                continue
    else:
        e = CandidateError('%s: %s' % (mro[0], msg))
    e.verdict_text = '%s: %s' % (mro[0], msg)
    return e


class _Proxy:
    __slots__ = ('_link', '_name', '__name__')

    def __init__(self, link, name):
        self._link, self._name, self.__name__ = link, name, name

    def __call__(self, *args, **kwargs):
        return self._link.call(self._name, args, kwargs)

    def __repr__(self):
        return '<candidate function %s>' % self._name


def _no_dump():
    # Same uid as the candidate (a configuration without per-run uids or namespaces): keep it
    # out of /proc/<pid>/mem and process_vm_readv.
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
    except Exception:
        pass


def _one_line(s):
    return ' '.join(str(s).split())[:300]


def _main():
    cfg = _loads(sys.stdin.buffer.read().decode().strip())
    nonce = cfg['nonce']
    out = os.dup(1)
    os.dup2(2, 1)  # the test code's prints go to stderr, never onto the verdict channel

    def report(i, status, ms, msg=''):
        os.write(out, ('%s %d %s %.3f %s\n' % (nonce, i, status, ms, _one_line(msg))).encode())

    if cfg['no_dump']:
        _no_dump()
    import time
    chan = _Chan(3, 4)
    try:
        # The judge reads the candidate's hello (it times the load) and passes it on fd 5.
        hello = _Chan(5, -1).recv()
        os.close(5)
        names = hello.get('names') if type(hello) is dict else None
        err = hello.get('error') if type(hello) is dict else 'malformed'
        if type(names) is not dict:
            raise ValueError(str(err))
    except Exception as e:
        msg = 'load: %s' % e
        if isinstance(e, _Closed):
            msg = 'load: the candidate did not start'
        for i in range(cfg['count']):
            report(i, 'DIED' if isinstance(e, _Closed) else 'ERROR', 0, msg)
        return
    if cfg['mode'] == 'assert':
        _assert_test(cfg, names, _Link(chan), report)
    else:
        _call_tests(cfg, names, _Link(chan), report)


def _assert_test(cfg, names, link, report):
    import time
    ns = {'__name__': '__main__'}
    for k, v in names.items():
        if type(k) is not str or not k.isidentifier() or type(v) is not list or not v:
            continue
        try:
            if v[0] == 'f':
                ns[k] = _Proxy(link, k)
            elif v[0] == 'v' and len(v) == 2:
                ns[k] = _dec(v[1])
            elif v[0] == 'm' and len(v) == 2 and v[1] in sys.stdlib_module_names:
                ns[k] = __import__(v[1])
        except Exception:
            pass
    import signal

    def on_alarm(sig, frame):
        raise _TestTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    t0 = time.monotonic()
    status, msg = 'PASS', ''
    try:
        with open('test.py') as f:
            code = compile(f.read(), 'test.py', 'exec')
        # The test's time limit, from the moment the candidate is loaded; it fires again every
        # 100 ms in case the test code swallows it.
        signal.setitimer(signal.ITIMER_REAL, cfg['test_ms'] / 1000.0, 0.1)
        try:
            exec(code, ns)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _TestTimeout:
        status, msg = 'TIMEOUT', 'the test ran past its time limit'
    except SystemExit as e:
        if e.code not in (None, 0):
            status, msg = 'ERROR', 'SystemExit: %s' % e.code
    except AssertionError as e:
        status, msg = 'WRONG', 'AssertionError: %s' % e if str(e) else 'AssertionError'
    except MemoryError:
        status, msg = 'ERROR', 'MemoryError'
    except BaseException as e:
        status, msg = 'ERROR', '%s: %s' % (type(e).__name__, e)
    if link.failure is not None and status != 'TIMEOUT':
        status, msg = link.failure
    report(0, status, (time.monotonic() - t0) * 1000, msg)


def _call_tests(cfg, names, link, report):
    import time
    fn = cfg['fn']
    cases = cfg['cases']
    if names.get(fn) == ['f']:
        target = fn
    elif names.get('Solution') == ['f']:
        target = 'Solution.' + fn
    else:
        for i in range(len(cases)):
            report(i, 'ERROR', 0, 'load: NameError: function %s not defined' % fn)
        return
    per_case_ms = cfg['per_case_ms']
    link.call_timeout = per_case_ms / 1000.0 + 1.0
    for i, (args, expected) in enumerate(cases):
        t0 = time.monotonic()
        status, msg = 'PASS', ''
        try:
            got = link.call(target, args, timeout_ms=per_case_ms)
            got = _loads(_dumps(got))  # json's view: tuples as lists, sets are an error
            if got != expected:
                status, msg = 'WRONG', 'expected %s, got %s' % (_dumps(expected)[:80],
                                                                _dumps(got)[:80])
        except _Abort:
            status, msg = link.failure
        except MemoryError:
            status, msg = 'ERROR', 'MemoryError'
        except Exception as e:
            status, msg = 'ERROR', getattr(e, 'verdict_text', '%s: %s' % (type(e).__name__, e))
        report(i, status, (time.monotonic() - t0) * 1000, msg)
        if status != 'PASS' and (cfg['stop'] or link.dead):
            return
        link.failure = None


_main()
try:
    sys.stdout.flush()
    sys.stderr.flush()
finally:
    os._exit(0)  # the report is written (unbuffered); skip the interpreter's teardown
)PY";

constexpr char kCompile[] = R"PY(import py_compile
for name in ('verdict_candidate', 'verdict_harness'):
    py_compile.compile(name + '.py', cfile=name + '.pyc', doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
)PY";

}  // namespace

const PythonPairBytecode* PrecompiledPythonPair(sandbox::Runner& runner,
                                                const std::vector<std::string>& python_argv) {
  static absl::Mutex mu;
  static auto* cache ABSL_PT_GUARDED_BY(mu) =
      new absl::flat_hash_map<std::pair<const sandbox::Runner*, std::string>,
                              std::unique_ptr<PythonPairBytecode>>;
  absl::MutexLock lock(&mu);
  if (python_argv.empty()) return nullptr;
  auto [it, inserted] = cache->try_emplace({&runner, python_argv[0]});
  if (!inserted) return it->second.get();
  sandbox::RunRequest req;
  req.argv = {python_argv[0], "-S", "-B", "compile.py"};
  req.files = {{"compile.py", kCompile, false},
               {"verdict_candidate.py", absl::StrCat(kCommon, kCandidateServer), false},
               {"verdict_harness.py", absl::StrCat(kCommon, kHarness), false}};
  req.collect = {"verdict_candidate.pyc", "verdict_harness.pyc"};
  req.limits.wall_ms = 20000;
  req.limits.cpu_ms = 10000;
  absl::StatusOr<sandbox::RunResult> r = runner.Run(req, nullptr);
  if (!r.ok() || r->status != sandbox::RunStatus::kOk || r->files.size() != 2) return nullptr;
  auto code = std::make_unique<PythonPairBytecode>();
  code->candidate = {{"main.py", "import verdict_candidate\n", false},
                     {"verdict_candidate.pyc", std::move(r->files[0].content), false}};
  code->harness = {{"main.py", "import verdict_harness\n", false},
                   {"verdict_harness.pyc", std::move(r->files[1].content), false}};
  it->second = std::move(code);
  return it->second.get();
}

PairPrograms BuildPythonAssertPair(std::string_view test_code, std::string_view nonce,
                                   int64_t test_ms, bool no_dump) {
  PairPrograms p;
  p.candidate_source = absl::StrCat(kCommon, kCandidateServer);
  p.harness_source = absl::StrCat(kCommon, kHarness);
  p.test_file = std::string(test_code);
  p.harness_stdin =
      absl::StrCat("{\"mode\":\"assert\",\"count\":1,\"nonce\":\"", std::string(nonce),
                   "\",\"test_ms\":", test_ms, ",\"no_dump\":", no_dump ? "true" : "false", "}");
  return p;
}

absl::StatusOr<PairPrograms> BuildPythonCallPair(std::string_view fn_name,
                                                 const std::vector<TestCase>& tests,
                                                 int64_t per_case_ms, bool stop_on_failure,
                                                 std::string_view nonce, bool no_dump) {
  if (!RE2::FullMatch(std::string(fn_name), "[A-Za-z_][A-Za-z0-9_]*")) {
    return absl::InvalidArgumentError(absl::StrCat("bad fn_name '", std::string(fn_name), "'"));
  }
  PairPrograms p;
  p.candidate_source = absl::StrCat(kCommon, kCandidateServer);
  p.harness_source = absl::StrCat(kCommon, kHarness);
  std::string cases;
  for (size_t i = 0; i < tests.size(); ++i) {
    if (tests[i].input.empty() || tests[i].expected.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("call-based test ", i, " lacks JSON"));
    }
    absl::StrAppend(&cases, i ? "," : "", "[", tests[i].input, ",", tests[i].expected, "]");
  }
  p.harness_stdin =
      absl::StrCat("{\"mode\":\"call\",\"count\":", tests.size(), ",\"nonce\":\"",
                   std::string(nonce), "\",\"no_dump\":", no_dump ? "true" : "false", ",\"fn\":\"",
                   std::string(fn_name), "\",\"per_case_ms\":", per_case_ms,
                   ",\"stop\":", stop_on_failure ? "true" : "false", ",\"cases\":[", cases, "]}");
  return p;
}

}  // namespace verdict::code
