"""The HTTP side port of a real `verdict serve`: health, readiness during shutdown, Prometheus
metrics, /v1/score against gRPC, and the OpenRLHF remote-reward route."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import BINARY, CLIENT, ROOT  # noqa: E402  (sys.path and stubs)

from google.protobuf import json_format  # noqa: E402
from verdict import Client  # noqa: E402
from verdict.v1 import verdict_pb2  # noqa: E402

GOOD = "<think>6*7=42</think><answer>42</answer>"
WRONG = "<think>6*7=41</think><answer>41</answer>"


def start(*extra):
    tmp = tempfile.mkdtemp()
    ports = os.path.join(tmp, "ports")
    proc = subprocess.Popen([BINARY, "serve", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0",
                             "--port-file", ports, *extra], stderr=subprocess.DEVNULL)
    for _ in range(600):
        if os.path.exists(ports):
            break
        time.sleep(0.05)
    lines = open(ports).read().split()
    return proc, lines[0], lines[-1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def post(url, body, content_type="application/json", timeout=30):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture(scope="module")
def server():
    proc, grpc_addr, http = start()
    yield grpc_addr, http
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def metrics(http):
    status, text = get(http + "/metrics")
    assert status == 200
    return {f.name: f for f in text_string_to_metric_families(text)}


def sample_value(families, name, **labels):
    for fam in families.values():
        for s in fam.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_health_and_readiness(server):
    _, http = server
    assert get(http + "/healthz") == (200, "ok\n")
    assert get(http + "/readyz") == (200, "ready\n")


def test_metrics_parse_and_move_with_traffic(server):
    grpc_addr, http = server
    before = metrics(http)
    assert before["verdict_inflight_samples"].type == "gauge"
    with Client(grpc_addr) as c:
        c.score([{"id": "m", "gold": "42", "completions": [GOOD, WRONG, WRONG]}])
    after = metrics(http)
    assert after["verdict_calls"].type == "counter"
    assert after["verdict_call_duration_seconds"].type == "histogram"
    delta = lambda n, **l: sample_value(after, n, **l) - sample_value(before, n, **l)  # noqa: E731
    assert delta("verdict_calls_total", method="Score", code="0") == 1
    assert delta("verdict_samples_total", verifier="math", verdict="CORRECT") == 1
    assert delta("verdict_samples_total", verifier="math", verdict="WRONG_ANSWER") == 2
    assert delta("verdict_call_duration_seconds_count", method="Score") == 1


def test_v1_score_equals_grpc(server):
    grpc_addr, http = server
    request = {"groups": [{"id": "a", "prompt": "p", "math": {"gold_answers": ["42"]},
                           "completions": [{"text": GOOD}, {"text": WRONG}, {"text": "none"}]}],
               "spec": {"weights": {"format": 0.5}, "pass_at_k": [1, 2]}}
    status, body = post(http + "/v1/score", request)
    assert status == 200
    via_http = json_format.ParseDict(body, verdict_pb2.ScoreResponse())
    with Client(grpc_addr) as c:
        via_grpc = c.score_raw(json_format.ParseDict(request, verdict_pb2.ScoreRequest()).groups,
                               spec=request["spec"])
    assert via_http == via_grpc
    assert [s.reward for s in via_http.groups[0].samples] == [1.5, 0.5, 0.0]


def test_v1_score_errors_are_json_with_http_status(server):
    _, http = server
    status, body = post(http + "/v1/score", {"groups": [], "spec": {"advantage": {"epsilon": -1}}})
    assert status == 400 and body["error"]["code"] == 3 and "epsilon" in body["error"]["message"]
    req = urllib.request.Request(http + "/v1/score", data=b"{not json", method="POST",
                                 headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 400


@pytest.mark.parametrize("route", ["/v1/score", "/openrlhf"])
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", ""])
def test_post_routes_refuse_a_body_that_is_not_json_with_415(server, route, content_type):
    _, http = server
    valid = {"groups": []} if route == "/v1/score" else {"query": ["a"]}
    status, body = post(http + route, valid, content_type=content_type)
    assert status == 415 and "application/json" in body["error"]["message"]
    assert post(http + route, valid, content_type="Application/JSON; charset=utf-8")[0] == 200


def test_v1_score_prints_zero_fields_and_int64_as_numbers(server):
    _, http = server
    request = {"groups": [{"id": "z", "math": {"gold_answers": ["42"]},
                           "completions": [{"text": "no answer here"}, {"text": GOOD}]}]}
    status, body = post(http + "/v1/score", request)
    assert status == 200
    zero, good = body["groups"][0]["samples"]
    assert zero["reward"] == 0 and zero["advantage"] < 0          # a zero reward is printed
    assert zero["truncated"] is False
    assert isinstance(good["length"], int) and good["length"] == len(GOOD)   # not "40"


def test_openrlhf_route_answers_its_documented_shape(server):
    _, http = server
    prompt = "User: 6*7?\nAssistant:"
    body = {"query": [prompt + GOOD, prompt + WRONG, prompt + "no idea"],
            "prompts": [prompt] * 3, "labels": ["42"] * 3}
    status, out = post(http + "/openrlhf", body)
    assert status == 200
    assert set(out) == {"rewards", "scores", "extra_logs"}
    assert out["rewards"] == [2.0, 1.0, 0.0]
    assert out["scores"] == [1.0, 0.0, 0.0]
    assert out["extra_logs"] == {"accuracy": [1.0, 0.0, 0.0], "format": [1.0, 1.0, 0.0]}
    status, out = post(http + "/openrlhf", {"query": ["a"], "labels": ["1", "2"]})
    assert status == 400


# Queries as OpenRLHF builds them: tokenizer.batch_decode(sequences, skip_special_tokens=False)
# of prompt + response tokens (openrlhf/trainer/ppo_utils/experience_maker.py), posted by
# remote_rm_fn as {"query", "prompts", "labels"} (openrlhf/utils/remote_rm_utils.py).
QWEN_PROMPT = "<|im_start|>user\nWhat is 6*7?<|im_end|>\n<|im_start|>assistant\n"


@pytest.mark.parametrize("eos", ["<|im_end|>", "<|endoftext|>", "</s>", "<|eot_id|>",
                                 "<|im_end|>\n<|endoftext|><|endoftext|>"])
def test_openrlhf_trailing_special_tokens_do_not_cost_the_format_reward(server, eos):
    _, http = server
    body = {"query": [QWEN_PROMPT + GOOD + eos, QWEN_PROMPT + WRONG + eos],
            "prompts": [QWEN_PROMPT] * 2, "labels": ["42"] * 2}
    status, out = post(http + "/openrlhf", body)
    assert status == 200, out
    assert out["rewards"] == [2.0, 1.0]
    assert out["extra_logs"]["format"] == [1.0, 1.0]


def test_openrlhf_each_query_is_scored_against_its_own_label(server):
    _, http = server
    seven = "<think>7</think><answer>7</answer>"
    # Same prompt text, two dataset rows with different labels, interleaved.
    body = {"query": [QWEN_PROMPT + GOOD, QWEN_PROMPT + seven, QWEN_PROMPT + GOOD, QWEN_PROMPT + seven],
            "prompts": [QWEN_PROMPT] * 4, "labels": ["42", "7", "7", "42"]}
    assert post(http + "/openrlhf", body)[1]["scores"] == [1.0, 1.0, 0.0, 0.0]
    # Without "prompts" (older OpenRLHF): still each query's own label, not labels[0].
    body = {"query": [GOOD, seven, GOOD], "labels": ["42", "7", "7"]}
    assert post(http + "/openrlhf", body)[1]["scores"] == [1.0, 1.0, 0.0]


def test_openrlhf_numeric_labels_are_gold_and_null_labels_are_errors(server):
    _, http = server
    body = {"query": [QWEN_PROMPT + GOOD] * 2, "prompts": [QWEN_PROMPT] * 2, "labels": [42, 42.0]}
    status, out = post(http + "/openrlhf", body)
    assert status == 200 and out["scores"] == [1.0, 1.0]
    body["labels"] = [42, None]
    status, out = post(http + "/openrlhf", body)
    assert status == 400 and "query 1: the label is null" in out["error"]["message"]


def test_openrlhf_prompt_after_a_bos_token_is_found_and_a_missing_one_is_reported(server):
    _, http = server
    prompt = "[INST] What is 6*7? [/INST]"
    body = {"query": ["<s> " + prompt + GOOD + "</s>"], "prompts": [prompt], "labels": ["42"]}
    status, out = post(http + "/openrlhf", body)
    assert status == 200 and out["rewards"] == [2.0]
    body = {"query": ["<s> [INST] other [/INST]" + GOOD], "prompts": [prompt], "labels": ["42"]}
    status, out = post(http + "/openrlhf", body)
    assert status == 400 and "query 0: its prompt does not occur" in out["error"]["message"]


def test_healthz_answers_fast_with_64_idle_keep_alive_clients(server):
    import socket
    _, http = server
    host, port = http[len("http://"):].rsplit(":", 1)
    idle = []
    try:
        for _ in range(64):  # each sends one request, reads the reply, and keeps the connection
            s = socket.create_connection((host, int(port)), timeout=10)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
            assert b"200" in s.recv(4096)
            idle.append(s)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            assert get(http + "/healthz")[0] == 200
            times.append(time.perf_counter() - t0)
        # A server whose threads the idle clients hold answers only when one of them times out
        # (httplib's keep-alive timeout, 5 s); a bound far above a loaded machine's latency.
        assert max(times) < 2.0, times
    finally:
        for s in idle:
            s.close()


def test_sigterm_ends_a_long_http_call_within_the_grace():
    proc, _, http = start("--shutdown-grace-ms", "500", "--threads", "1")
    n = 400_000  # groups of 8, over 5 s of scoring on one thread: far longer than the grace
    body = json.dumps({"query": [QWEN_PROMPT + GOOD] * n, "prompts": [QWEN_PROMPT] * n,
                       "labels": [str(i // 8) for i in range(n)]}).encode()
    result = {}

    def call():
        result["reply"] = post(http + "/openrlhf", body, timeout=120)
    t = threading.Thread(target=call)
    t.start()
    time.sleep(1.0)  # the request is being read, parsed or scored
    assert t.is_alive()
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=60)
    took = time.monotonic() - t0
    t.join(60)
    assert code == 0
    print(f"exit {took:.2f} s after SIGTERM, reply {result['reply'][0]}")
    # The 503 is the proof that the grace cut the call short: a server that waited for its HTTP
    # work would have scored all of it and answered 200. The time bound only catches a hang: on
    # an idle 2-core machine the exit takes under 3 s, on a loaded one parsing what was queued
    # takes longer (no timed assertion beyond that).
    status, out = result["reply"]
    assert status == 503 and "shut down" in out["error"]["message"], (status, out)
    assert took < 30.0, took


def test_sigterm_during_a_stream_fails_readiness_first_then_drains_and_exits_zero():
    proc, grpc_addr, http = start("--drain-delay-ms", "1500", "--shutdown-grace-ms", "20000")
    results, gate = [], threading.Event()

    def groups():
        yield {"id": "first", "gold": "42", "completions": [GOOD, WRONG]}
        gate.wait(20)  # the stream stays open across the SIGTERM
        for i in range(5):
            yield {"id": f"after{i}", "gold": "42", "completions": [GOOD, WRONG]}

    def consume():
        with Client(grpc_addr) as c:
            for r in c.score_stream(groups()):
                results.append(r)
    t = threading.Thread(target=consume)
    t.start()
    for _ in range(200):
        if results:
            break
        time.sleep(0.02)
    assert results and results[0].group_id == "first"
    proc.send_signal(signal.SIGTERM)
    status = 200
    for _ in range(100):
        status, _ = get(http + "/readyz")
        if status == 503:
            break
        time.sleep(0.02)
    assert status == 503                      # readiness fails first
    assert get(http + "/healthz")[0] == 200   # while the process is alive
    gate.set()                                # then the open stream's work finishes
    t.join(30)
    assert sorted(r.group_id for r in results) == ["after0", "after1", "after2", "after3", "after4", "first"]
    assert all(r.rewards == [2.0, 1.0] for r in results)
    assert proc.wait(timeout=30) == 0         # and the process exits 0 within the grace period


def test_config_file_env_and_flags_in_precedence_order_and_reported_by_getinfo(tmp_path):
    cfg = tmp_path / "verdict.json"
    cfg.write_text(json.dumps({"listen": ["127.0.0.1:0"], "threads": 1, "drain_delay_ms": 7,
                               "stream_window_groups": 5, "default_spec": {"weights": {"format": 0.25},
                                                                           "pass_at_k": [2]}}))
    ports = tmp_path / "ports"
    env = {**os.environ, "VERDICT_DRAIN_DELAY_MS": "9", "VERDICT_STREAM_WINDOW_GROUPS": "6"}
    proc = subprocess.Popen([BINARY, "serve", "--config", str(cfg), "--port-file", str(ports),
                             "--stream-window-groups", "8"], env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if ports.exists():
                break
            time.sleep(0.05)
        with Client(ports.read_text().split()[0]) as c:
            info = c.info()
        cfg_out = json.loads(info.effective_config)
        assert cfg_out["threads"] == 1                  # file
        assert cfg_out["drain_delay_ms"] == 9           # environment over file
        assert cfg_out["stream_window_groups"] == 8     # flag over environment
        assert cfg_out["default_spec"]["weights"]["format"] == 0.25
        assert info.default_spec.weights.format == 0.25 and list(info.default_spec.pass_at_k) == [2]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    cfg.write_text(json.dumps({"no_such_setting": 1}))
    bad = subprocess.run([BINARY, "serve", "--config", str(cfg)], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and 'unknown key "no_such_setting"' in bad.stderr


# --- gRPC edges ---------------------------------------------------------------------------------

def test_a_malformed_message_is_invalid_argument_with_a_reason(server):
    import grpc
    grpc_addr, _ = server
    bad = b"\x0a\x03\x0a\x01\xff"  # ScoreRequest{groups: [Group{id: "\xff"}]}: not UTF-8
    with grpc.insecure_channel(grpc_addr) as ch:
        with pytest.raises(grpc.RpcError) as err:
            ch.unary_unary("/verdict.v1.RewardService/Score")(bad, timeout=10)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "not a valid verdict.v1.ScoreRequest" in err.value.details()
        # In a stream, the bad message gets an error result and the stream goes on.
        good = verdict_pb2.ScoreStreamRequest(group=verdict_pb2.Group(
            id="ok", math=verdict_pb2.MathReference(gold_answers=["42"]),
            completions=[verdict_pb2.Completion(text=GOOD)])).SerializeToString()
        stream = ch.stream_stream("/verdict.v1.RewardService/ScoreStream",
                                  response_deserializer=verdict_pb2.GroupResult.FromString)
        results = list(stream(iter([bad, good]), timeout=10))
    by_id = {r.group_id: r for r in results}
    assert by_id[""].error.code == 3 and "not a valid" in by_id[""].error.message
    assert [s.reward for s in by_id["ok"].samples] == [2.0]


def test_health_by_service_name_is_serving(server):
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    with grpc.insecure_channel(server[0]) as ch:
        stub = health_pb2_grpc.HealthStub(ch)
        for name in ("", "verdict.v1.RewardService"):
            assert stub.Check(health_pb2.HealthCheckRequest(service=name)).status == \
                health_pb2.HealthCheckResponse.SERVING, name


@pytest.fixture
def one_thread_server():
    proc, grpc_addr, http = start("--threads", "1")
    yield grpc_addr, http
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def test_metrics_count_deadlines_and_cancelled_streams_under_their_codes(one_thread_server):
    import grpc
    grpc_addr, http = one_thread_server
    before = metrics(http)
    # 0.3 s is long enough to reach the server and far shorter than scoring 120,000 distinct
    # polynomial answers on one thread (about 45 us each on a 2-core dev machine: over 5 s). One
    # thread and distinct answers keep it so on a machine with many fast cores.
    big = [{"id": str(i), "gold": "(x+1)^{30}",
            "completions": [f"<answer>(x+{i * 2000 + j})^{{30}}</answer>" for j in range(2000)]}
           for i in range(60)]
    with Client(grpc_addr, timeout=0.3) as c:
        with pytest.raises(grpc.RpcError) as err:
            c.score(big)
        assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        with pytest.raises(grpc.RpcError) as err:
            list(c.score_stream(big))
        assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    gate = threading.Event()

    def idle_groups():  # one group, then the stream stays open with nothing in flight
        yield {"id": "a", "gold": "1", "completions": ["<answer>1</answer>"]}
        gate.wait(10)
    with grpc.insecure_channel(grpc_addr) as ch:
        from verdict.client import _stream_requests
        from verdict.v1 import verdict_pb2_grpc
        call = verdict_pb2_grpc.RewardServiceStub(ch).ScoreStream(_stream_requests(idle_groups(), None))
        next(call)
        call.cancel()
        gate.set()
    for _ in range(200):  # bounded: 10 s
        after = metrics(http)
        delta = lambda **l: sample_value(after, "verdict_calls_total", **l) - \
            sample_value(before, "verdict_calls_total", **l)  # noqa: E731
        # The client's deadline fires on its side at once; the server counts the call when its
        # cancelled work has stopped, and a stream once gRPC is done with it.
        if (delta(method="ScoreStream", code="1") >= 1 and delta(method="ScoreStream", code="4") >= 1
                and delta(method="Score", code="4") + delta(method="Score", code="1") >= 1):
            break
        time.sleep(0.05)
    codes = {(m, c): delta(method=m, code=c) for m in ("Score", "ScoreStream") for c in "0134"}
    assert delta(method="Score", code="4") == 1 and delta(method="Score", code="1") == 0, codes
    assert delta(method="ScoreStream", code="4") == 1, codes
    assert delta(method="ScoreStream", code="1") == 1 and delta(method="ScoreStream", code="0") == 0


def test_process_metrics_follow_the_prometheus_conventions(server):
    _, http = server
    m = metrics(http)
    assert m["process_cpu_seconds"].type == "counter"
    assert sample_value(m, "process_cpu_seconds_total") > 0
    assert sample_value(m, "process_resident_memory_bytes") > 1 << 20
    assert 3 <= sample_value(m, "process_open_fds") < sample_value(m, "process_max_fds")
    assert time.time() - 3600 < sample_value(m, "process_start_time_seconds") <= time.time()


def _start_on(listen, *extra):
    tmp = tempfile.mkdtemp()
    ports = os.path.join(tmp, "ports")
    proc = subprocess.Popen([BINARY, "serve", "--listen", listen, "--http-listen", "127.0.0.1:0",
                             "--port-file", ports, "--threads", "1", *extra], stderr=subprocess.DEVNULL)
    for _ in range(600):
        if os.path.exists(ports) and len(open(ports).read().split()) >= 2:
            break
        time.sleep(0.05)
    lines = open(ports).read().split()
    return proc, lines[0], lines[-1]


@pytest.mark.parametrize("age_ms, spreads", [("0", False), ("300", True)])
def test_a_connected_client_reaches_a_replica_started_after_it(age_ms, spreads):
    # Two replicas behind one address, as a headless Service's pods behind one name: the second
    # binds the first's port (gRPC servers set SO_REUSEPORT), and the kernel hands each NEW
    # connection to one of them. A client keeps its connection while it is healthy, so only a
    # connection age on the server (GOAWAY, reconnect) lets the replica started later get calls.
    age = ["--max-connection-age-ms", age_ms]
    a, addr, http_a = _start_on("127.0.0.1:0", *age)
    b = None
    try:
        with Client(addr, timeout=30) as c:
            groups = [{"id": "q", "gold": "42", "completions": [GOOD, WRONG]}]
            assert c.score(groups)[0].rewards == [2.0, 1.0]   # connected to the first replica
            b, _, http_b = _start_on(addr, *age)
            deadline = time.monotonic() + 4
            for _ in range(10_000):                          # bounded: 4 s of calls at most
                if time.monotonic() > deadline:
                    break
                assert c.score(groups)[0].rewards == [2.0, 1.0]
                time.sleep(0.01)
        on_b = sample_value(metrics(http_b), "verdict_calls_total", method="Score", code="0")
        on_a = sample_value(metrics(http_a), "verdict_calls_total", method="Score", code="0")
        print(f"age {age_ms} ms: calls on the first replica {on_a:.0f}, on the later one {on_b:.0f}")
        assert on_a > 0
        assert (on_b > 0) == spreads, (on_a, on_b)
    finally:
        for p in (a, b):
            if p is not None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=30)


def test_verdict_score_server_spreads_batches_round_robin():
    (a, addr_a, http_a), (b, addr_b, http_b) = _start_on("127.0.0.1:0"), _start_on("127.0.0.1:0")
    try:
        data = open(os.path.join(ROOT, "examples", "r1_math.jsonl")).read() * 10  # 40 groups
        out = subprocess.run([BINARY, "score", "--server", f"ipv4:{addr_a},{addr_b}", "--batch-groups",
                              "1", "--input", "-", "--output", os.devnull],
                             input=data, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        calls = [sample_value(metrics(h), "verdict_calls_total", method="Score", code="0")
                 for h in (http_a, http_b)]
        assert sum(calls) == 40 and min(calls) >= 10, calls   # pick_first sent all 40 to one
    finally:
        for p in (a, b):
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)
