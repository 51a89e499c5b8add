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


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
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
    req = urllib.request.Request(http + "/v1/score", data=b"{not json", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 400


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
