#include "verifier/code/js_harness.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/json.h"
#include "re2/re2.h"

namespace verdict::code {
namespace {

// Shared by both programs: the plain-data codec and the line channel.
constexpr char kCommon[] = R"JS('use strict';
const fs = require('fs');
const vm = require('vm');

class Unsendable extends Error {}
class Closed extends Error {}
class Late extends Error {}

// Captured before the solution runs: a solution that patches the builtins breaks only its own
// replies, which it could forge anyway.
const isArray = Array.isArray, keysOf = Object.keys, is = Object.is, isFinite_ = Number.isFinite;
const stringify = JSON.stringify, parse = JSON.parse, MapC = Map, SetC = Set;
const define = Object.defineProperty;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

// Plain data only: numbers (with -0, NaN, +-Infinity), BigInt, strings, booleans, null,
// undefined, and arrays, Maps, Sets and objects (own enumerable string keys) of them.
function enc(v, d) {
  if (d > 100) throw new Unsendable('value nested deeper than 100');
  switch (typeof v) {
    case 'string': case 'boolean': return v;
    case 'undefined': return {u: 1};
    case 'number': return isFinite_(v) && !is(v, -0) ? v : {n: is(v, -0) ? '-0' : String(v)};
    case 'bigint': return {big: v.toString(16)};
    case 'object': break;
    default: throw new Unsendable('a ' + typeof v + ', which cannot cross the harness boundary');
  }
  if (v === null) return null;
  const out = [];
  if (isArray(v)) {
    for (let i = 0; i < v.length; i++) out[i] = enc(v[i], d + 1);
    return out;
  }
  if (v instanceof MapC) {
    for (const [k, x] of v) out[out.length] = [enc(k, d + 1), enc(x, d + 1)];
    return {map: out};
  }
  if (v instanceof SetC) {
    for (const x of v) out[out.length] = enc(x, d + 1);
    return {set: out};
  }
  for (const k of keysOf(v)) out[out.length] = [k, enc(v[k], d + 1)];
  return {o: out};
}

function malformed() {
  throw new Error('malformed value');
}

function dec(v, d) {
  if (d > 100) malformed();
  const t = typeof v;
  if (v === null || t === 'string' || t === 'boolean' || t === 'number') return v;
  if (isArray(v)) return v.map((x) => dec(x, d + 1));
  const k = keysOf(v);
  if (k.length !== 1) malformed();
  const x = v[k[0]];
  switch (k[0]) {
    case 'u': return undefined;
    case 'n':
      if (x === '-0') return -0;
      if (x === 'NaN' || x === 'Infinity' || x === '-Infinity') return Number(x);
      break;
    case 'big':
      if (typeof x === 'string' && /^-?[0-9a-f]{1,100000}$/.test(x)) {
        return x[0] === '-' ? -BigInt('0x' + x.slice(1)) : BigInt('0x' + x);
      }
      break;
    case 'map':
      if (isArray(x) && x.every((p) => isArray(p) && p.length === 2)) {
        return new Map(x.map((p) => [dec(p[0], d + 1), dec(p[1], d + 1)]));
      }
      break;
    case 'set':
      if (isArray(x)) return new Set(x.map((y) => dec(y, d + 1)));
      break;
    case 'o':
      if (isArray(x) && x.every((p) => isArray(p) && p.length === 2 && typeof p[0] === 'string')) {
        const o = {};
        for (const [key, y] of x) {
          // defineProperty: a key "__proto__" is data, not the object's prototype.
          const value = dec(y, d + 1);
          define(o, key, {value: value, writable: true, enumerable: true, configurable: true});
        }
        return o;
      }
      break;
  }
  malformed();
}

// One JSON value per line each way. The harness's ends are non-blocking (the judge sets them),
// so that the test's time limit (vm's watchdog) or a `deadline` (performance.now() ms: Late
// past it) can stop a wait for a candidate that never answers: a read or write that would block
// sleeps a little and tries again.
class Chan {
  constructor(rfd, wfd) {
    this.r = rfd;
    this.w = wfd;
    this.chunks = [];
    this.size = 0;
  }

  static pause(n) {
    Atomics.wait(sleeper, 0, 0, Math.min(2, 0.01 * (1 << Math.min(n, 8))));
  }

  static wait(n, deadline) {
    if (deadline !== undefined && performance.now() > deadline) throw new Late('past the deadline');
    Chan.pause(n);
  }

  send(obj, deadline) {
    const data = Buffer.from(stringify(obj) + '\n');
    for (let off = 0, n = 0; off < data.length;) {
      try {
        off += fs.writeSync(this.w, data, off);
      } catch (e) {
        if (e.code !== 'EAGAIN') throw new Closed('the channel is closed');
        Chan.wait(n++, deadline);
      }
    }
  }

  recv(deadline) {
    // What followed the last line: a whole line there comes first.
    let nl = this.size ? this.chunks[0].indexOf(10) : -1;
    const chunk = nl < 0 ? Buffer.allocUnsafe(1 << 16) : null;
    for (let n = 0; nl < 0;) {
      let got;
      try {
        got = fs.readSync(this.r, chunk, 0, chunk.length, null);
      } catch (e) {
        if (e.code !== 'EAGAIN') throw new Closed('the channel is closed');
        Chan.wait(n++, deadline);
        continue;
      }
      if (got === 0) throw new Closed('the channel is closed');
      n = 0;
      nl = chunk.indexOf(10);
      nl = nl >= got ? -1 : nl;
      if (nl >= 0) nl += this.size;
      this.chunks.push(Buffer.from(chunk.subarray(0, got)));
      this.size += got;
      if (nl < 0 && this.size > (64 << 20)) throw new Closed('a message over 64 MiB');
    }
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const rest = all.subarray(nl + 1);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    return parse(all.toString('utf8', 0, nl));
  }
}
)JS";

constexpr char kCandidateServer[] = R"JS(
// The candidate server: the protocol is its fds 3 (requests) and 4 (replies); its stdin (empty)
// and stdout are a normal run's. The solution runs as a script in this global scope. It can
// write on the protocol on purpose: a forged reply is no more than a returned value.
const globalEval = eval;  // indirect: the global scope, as the test code sees it
// A call with a time limit (a call-based case's) runs under vm's watchdog, which stops it
// wherever it is; the call itself is a non-enumerable global set just before.
const timedCall = new vm.Script('globalThis.__verdictCall()', {filename: 'call.js'});

// `f` (a global function) or `Solution.f` (a method of one instance, made at the first call).
function resolve(name, instances) {
  const dot = name.indexOf('.');
  if (dot < 0) return globalEval(name);
  const cls = name.slice(0, dot), method = name.slice(dot + 1);
  if (!instances.has(cls)) instances.set(cls, new (globalEval(cls))());
  const self = instances.get(cls);
  return (...args) => self[method](...args);
}

function callOnce(fn, args, timeoutMs) {
  if (!timeoutMs) return fn(...args);
  define(globalThis, '__verdictCall', {value: () => fn(...args), configurable: true});
  return timedCall.runInThisContext({timeout: timeoutMs});
}

function serve() {
  const chan = new Chan(3, 4);
  chan.send({started: 1});  // the judge's load timer starts here, after node's start-up
  globalThis.require = require;
  globalThis.module = module;
  globalThis.exports = module.exports;
  const names = {};
  try {
    const src = fs.readFileSync('solution.js', 'utf8');
    vm.runInThisContext(src, {filename: 'solution.js'});
    // The solution's functions, whether declared with function, const, let, var or class: each
    // identifier of its text that names a function in the global scope, as the test sees it.
    const seen = new Set(src.match(/[A-Za-z_$][\w$]*/g) || []);
    if (seen.size > 20000) throw new Error('more than 20000 distinct identifiers');
    for (const id of seen) {
      if (id in names) continue;
      try {
        if (globalEval('typeof ' + id) === 'function') names[id] = ['f'];
      } catch (e) {}
    }
  } catch (e) {
    let what;
    try {
      what = e instanceof Error ? e.name + ': ' + e.message : 'thrown: ' + String(e);
    } catch (e2) {
      what = 'an exception';
    }
    chan.send({error: what});
    return;
  }
  chan.send({names: names});
  const fns = new Map(), instances = new Map();
  for (;;) {
    let req;
    try {
      req = chan.recv();
    } catch (e) {
      return;
    }
    let reply;
    try {
      const name = req.name;
      if (!fns.has(name)) fns.set(name, resolve(name, instances));
      const got = callOnce(fns.get(name), req.args.map((a) => dec(a, 0)), req.timeout_ms);
      try {
        reply = {ok: enc(got, 0)};
      } catch (e) {
        if (!(e instanceof Unsendable)) throw e;
        reply = {bad: e.message};
      }
    } catch (e) {
      reply = {exc: 'Error', msg: ''};
      try {
        if (e instanceof Error && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
          reply = {timeout: 1};
        } else if (e instanceof Error) {
          reply = {exc: String(e.name), msg: String(e.message).slice(0, 1000)};
        } else {
          reply = {exc: 'thrown', msg: String(e).slice(0, 1000)};
        }
      } catch (e2) {}
    }
    try {
      chan.send(reply);
    } catch (e) {
      return;
    }
  }
}

serve();
// At the end of the requests the server leaves at once, without the solution's exit handlers.
process.reallyExit(0);
)JS";

constexpr char kHarness[] = R"JS(
// The harness: the config on stdin (the nonce and, for an assert test, the test code and its
// time limit; for call-based cases, the function's name, the cases and each call's time limit),
// the candidate on fds 3 (replies) and 4 (requests), its hello on fd 5, the reports on fd 1.
class Link {
  constructor(chan) {
    this.chan = chan;
    this.failure = null;
    this.dead = false;  // the candidate exited or stopped answering: no call can follow
  }

  // The candidate died, timed out or sent what is not plain data: the test fails whatever the
  // test code does with the exception, and every later call fails too.
  fail(kind, msg, dead) {
    if (this.failure === null) this.failure = [kind, msg];
    this.dead = this.dead || dead === true;
    throw new Error(msg);
  }

  // With `timeoutMs` the candidate stops the call itself past it (a 'timeout' reply); one
  // second later the harness gives up on the candidate.
  call(name, args, timeoutMs) {
    if (this.failure !== null || this.dead) {
      throw new Error(this.failure !== null ? this.failure[1] : 'the candidate is gone');
    }
    const req = {name: name, args: []};
    try {
      for (let i = 0; i < args.length; i++) req.args[i] = enc(args[i], 0);
    } catch (e) {
      this.fail('ERROR', 'argument: ' + e.message);
    }
    let deadline;
    if (timeoutMs) {
      req.timeout_ms = timeoutMs;
      deadline = performance.now() + timeoutMs + 1000;
    }
    let reply;
    try {
      this.chan.send(req, deadline);
      reply = this.chan.recv(deadline);
    } catch (e) {
      if (e instanceof Late) this.fail('TIMEOUT', 'no reply from the candidate in time', true);
      if (e instanceof Closed) this.fail('DIED', 'the candidate exited during a call', true);
      this.fail('ERROR', 'malformed reply from the candidate');
    }
    let exc = null;
    try {
      if (reply === null || typeof reply !== 'object' || isArray(reply)) malformed();
      if ('ok' in reply) return dec(reply.ok, 0);
      if ('timeout' in reply) {
        exc = ['TIMEOUT', 'the call ran past its time limit'];
      } else if ('bad' in reply) {
        exc = ['ERROR', 'the candidate returned ' + String(reply.bad).slice(0, 200)];
      } else if (typeof reply.exc === 'string' && typeof reply.msg === 'string') {
        exc = rebuild(reply.exc, reply.msg);
      } else {
        malformed();
      }
    } catch (e) {
      this.fail('ERROR', 'malformed reply from the candidate');
    }
    if (isArray(exc)) this.fail(exc[0], exc[1]);
    throw exc;
  }
}

const kErrors = {Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError};

// The candidate's exception as the builtin error of its name (else an Error named after it),
// so tests that expect a RangeError still see one.
function rebuild(name, msg) {
  const Ctor = Object.prototype.hasOwnProperty.call(kErrors, name) ? kErrors[name] : Error;
  const e = new Ctor(msg);
  if (Ctor === Error && name !== 'Error') e.name = name.slice(0, 100);
  e.verdictText = name.slice(0, 100) + ': ' + msg;
  return e;
}

const kTimeout = Symbol('timeout');

function oneLine(s) {
  return String(s).split(/\s+/).filter((x) => x).join(' ').slice(0, 300);
}

function isAssertion(e) {
  return e instanceof Error && (e.code === 'ERR_ASSERTION' || e.name === 'AssertionError');
}

function main() {
  const cfg = parse(fs.readFileSync(0, 'utf8'));
  const call = cfg.mode === 'call';
  const count = call ? cfg.cases.length : 1;
  const reported = new SetC();
  // One report per index, the first.
  const report = (i, status, ms, msg) => {
    if (reported.has(i)) return;
    reported.add(i);
    const line = [cfg.nonce, i, status, ms.toFixed(3), oneLine(msg)].join(' ');
    fs.writeSync(1, line + '\n');
  };
  let names;
  try {
    const hello = new Chan(5, -1).recv();
    fs.closeSync(5);
    names = hello !== null && typeof hello === 'object' ? hello.names : null;
    if (names === null || typeof names !== 'object' || isArray(names)) {
      throw new Error(hello && typeof hello.error === 'string' ? hello.error : 'malformed');
    }
  } catch (e) {
    for (let i = 0; i < count; i++) {
      report(i, e instanceof Closed ? 'DIED' : 'ERROR', 0,
             e instanceof Closed ? 'load: the candidate did not start' : 'load: ' + e.message);
    }
    return;
  }
  const link = new Link(new Chan(3, 4));
  if (!call) {
    assertTest(cfg, names, link, (status, ms, msg) => report(0, status, ms, msg));
    return;
  }
  callTests(cfg, names, link, report);
  process.reallyExit(0);
}

function assertTest(cfg, names, link, report) {
  // The test code's prints go to stderr, never onto the report.
  const err = process.stderr;
  define(process, 'stdout', {get: () => err, configurable: true});
  globalThis.console = new console.Console(err, err);
  const assert = require('assert');
  // HumanEval-X's JavaScript tests use console.assert, which only prints: here it throws.
  console.assert = (cond, ...msg) => {
    const message = msg.length ? msg.join(' ') : 'console.assert';
    if (!cond) throw new assert.AssertionError({message: message});
  };
  // The harness's own globals, which no candidate function replaces: node's, CommonJS's, and
  // `assert` (node's), so that a test calling a bare assert(...) cannot call the candidate's.
  const own = {require: require, module: module, exports: module.exports, assert: assert};
  for (const k of keysOf(own)) {
    define(globalThis, k, {value: own[k], writable: true, enumerable: false, configurable: true});
  }
  // Each of the candidate's functions, as a global the test code can shadow.
  for (const name of keysOf(names)) {
    if (!/^[A-Za-z_$][\w$]*$/.test(name) || name in globalThis || name === '__filename' ||
        name === '__dirname' || !isArray(names[name]) || names[name][0] !== 'f') {
      continue;
    }
    const proxy = {[name]: (...args) => link.call(name, args)}[name];
    define(globalThis, name, {value: proxy, writable: true, enumerable: false, configurable: true});
  }
  const t0 = performance.now();
  const ms = () => performance.now() - t0;
  let status = 'PASS', msg = '';
  const failed = (e) => {
    if (status !== 'PASS') return;
    if (e === kTimeout) {
      status = 'TIMEOUT';
      msg = 'the test ran past its time limit';
    } else if (isAssertion(e)) {
      status = 'WRONG';
      msg = 'AssertionError: ' + e.message;
    } else if (e instanceof Error && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      status = 'TIMEOUT';
      msg = 'the test ran past its time limit';
    } else {
      status = 'ERROR';
      try {
        msg = e instanceof Error ? e.verdictText || e.name + ': ' + e.message : 'thrown: ' + e;
      } catch (e2) {
        msg = 'an exception';
      }
    }
  };
  // Asynchronous test code fails through these; the report waits for the event loop to empty.
  process.on('uncaughtException', failed);
  process.on('unhandledRejection', failed);
  const finish = (code) => {
    // A test that exits or sets process.exitCode: as node's own exit status would say.
    code = typeof code === 'number' ? code : process.exitCode;
    if (code !== undefined && code !== 0 && code !== '0' && status === 'PASS') {
      status = 'ERROR';
      msg = 'the test exited with code ' + String(code).slice(0, 20);
    }
    if (link.failure !== null && status !== 'TIMEOUT') [status, msg] = link.failure;
    report(status, ms(), msg);
    process.reallyExit(0);
  };
  process.on('beforeExit', finish);
  process.on('exit', finish);
  try {
    // The test's time limit, from the moment the candidate is loaded: vm's watchdog stops the
    // script wherever it is (the test code cannot catch that), waits for the candidate included.
    vm.runInThisContext(cfg.test, {filename: 'test.js', timeout: cfg.test_ms});
  } catch (e) {
    failed(e);
    finish(0);
  }
  const left = Math.max(1, cfg.test_ms - ms());
  setTimeout(() => {
    failed(kTimeout);
    finish(0);
  }, left).unref();
}

// Call-based cases compare as JSON would see the result (undefined as null, an undefined
// property as absent), with NaN and the infinities kept (they equal nothing JSON holds); a Map,
// Set or BigInt is an error, as a set is on Python's path. The comparison is exact: Python's
// path has no float tolerance either.
class NotJson extends Error {}
const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

function jsonView(v) {
  switch (typeof v) {
    case 'undefined': return null;
    case 'bigint': throw new NotJson('a BigInt');
    case 'object': break;
    default: return v;
  }
  if (v === null) return v;
  if (isArray(v)) return v.map((x) => jsonView(x));
  if (v instanceof MapC || v instanceof SetC) {
    throw new NotJson(v instanceof MapC ? 'a Map' : 'a Set');
  }
  const out = {};
  for (const k of keysOf(v)) {
    if (v[k] === undefined) continue;
    define(out, k, {value: jsonView(v[k]), writable: true, enumerable: true, configurable: true});
  }
  return out;
}

function same(got, want) {
  if (want === null || typeof want !== 'object') return got === want;
  if (got === null || typeof got !== 'object' || isArray(got) !== isArray(want)) return false;
  if (isArray(want)) {
    return got.length === want.length && want.every((x, i) => same(got[i], x));
  }
  const keys = keysOf(want);
  return keysOf(got).length === keys.length &&
         keys.every((k) => hasOwn(got, k) && same(got[k], want[k]));
}

function show(v) {
  const s = stringify(v, (k, x) => (typeof x === 'number' && !isFinite_(x) ? String(x) : x));
  return String(s).slice(0, 80);
}

// Each case: its arguments (a JSON array) and expected value (JSON), in this process only.
function callTests(cfg, names, link, report) {
  const isFn = (n) => hasOwn(names, n) && isArray(names[n]) && names[n][0] === 'f';
  const target = isFn(cfg.fn) ? cfg.fn : isFn('Solution') ? 'Solution.' + cfg.fn : null;
  const cases = cfg.cases;
  if (target === null) {
    for (let i = 0; i < cases.length; i++) {
      report(i, 'ERROR', 0, 'load: ReferenceError: function ' + cfg.fn + ' is not defined');
    }
    return;
  }
  for (let i = 0; i < cases.length; i++) {
    const t0 = performance.now();
    let status = 'PASS', msg = '', args, want;
    try {
      args = parse(cases[i][0]);
      want = parse(cases[i][1]);
      if (!isArray(args)) throw new Error('the arguments are not a JSON array');
    } catch (e) {
      report(i, 'ERROR', 0, 'reference: case ' + i + ': ' + e.message);
      continue;
    }
    try {
      const got = jsonView(link.call(target, args, cfg.per_case_ms));
      if (!same(got, want)) {
        status = 'WRONG';
        msg = 'expected ' + show(want) + ', got ' + show(got);
      }
    } catch (e) {
      status = 'ERROR';
      if (link.failure !== null) {
        [status, msg] = link.failure;
      } else if (e instanceof NotJson) {
        msg = 'the candidate returned ' + e.message + ', which JSON cannot hold';
      } else {
        msg = e.verdictText || e.name + ': ' + e.message;
      }
    }
    report(i, status, performance.now() - t0, msg);
    if (status !== 'PASS' && (cfg.stop || link.dead)) return;
    link.failure = null;
  }
}

main();
)JS";

}  // namespace

PairPrograms BuildJsAssertPair(std::string_view test_code, std::string_view nonce,
                               int64_t test_ms) {
  PairPrograms p;
  p.candidate_source = absl::StrCat(kCommon, kCandidateServer);
  p.harness_source = absl::StrCat(kCommon, kHarness);
  p.harness_stdin = absl::StrCat("{\"nonce\":", JsonString(nonce), ",\"test_ms\":", test_ms,
                                 ",\"test\":", JsonString(test_code), "}");
  return p;
}

absl::StatusOr<PairPrograms> BuildJsCallPair(std::string_view fn_name,
                                             const std::vector<TestCase>& tests,
                                             int64_t per_case_ms, bool stop_on_failure,
                                             std::string_view nonce) {
  if (!RE2::FullMatch(std::string(fn_name), "[A-Za-z_$][A-Za-z0-9_$]*")) {
    return absl::InvalidArgumentError(absl::StrCat("bad fn_name '", std::string(fn_name), "'"));
  }
  std::string cases;
  for (size_t i = 0; i < tests.size(); ++i) {
    if (tests[i].input.empty() || tests[i].expected.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("call-based test ", i, " lacks JSON"));
    }
    absl::StrAppend(&cases, i ? "," : "", "[", JsonString(tests[i].input), ",",
                    JsonString(tests[i].expected), "]");
  }
  PairPrograms p;
  p.candidate_source = absl::StrCat(kCommon, kCandidateServer);
  p.harness_source = absl::StrCat(kCommon, kHarness);
  p.harness_stdin =
      absl::StrCat("{\"mode\":\"call\",\"nonce\":", JsonString(nonce), ",\"fn\":\"",
                   std::string(fn_name), "\",\"per_case_ms\":", per_case_ms,
                   ",\"stop\":", stop_on_failure ? "true" : "false", ",\"cases\":[", cases, "]}");
  return p;
}

}  // namespace verdict::code
