"""The Python client's async, round-robin and retry behaviour, and the trainer adapters called
exactly as TRL and verl call them, against real `verdict serve` processes."""
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from conftest import BINARY, CLIENT, ROOT  # noqa: E402  (sys.path and stubs)

import verdict  # noqa: E402
from verdict import AsyncClient, Client  # noqa: E402

GOOD = "<think>6*7=42</think><answer>42</answer>"
WRONG = "<think>6*7=41</think><answer>41</answer>"
UNFORMATTED = "so it is \\boxed{42}"


def start_server(*extra):
    tmp = tempfile.mkdtemp()
    ports = os.path.join(tmp, "ports")
    proc = subprocess.Popen([BINARY, "serve", "--listen", "127.0.0.1:0", "--port-file", ports, *extra],
                            stderr=subprocess.DEVNULL)
    for _ in range(600):
        if os.path.exists(ports):
            break
        time.sleep(0.05)
    with open(ports) as f:
        return proc, f.read().split()[0]


@pytest.fixture(scope="module")
def server():
    proc, address = start_server()
    yield address
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def test_typed_results(server):
    with Client(server) as c:
        [g] = c.score([{"id": "q", "gold": "42", "completions": [GOOD, WRONG, UNFORMATTED]}],
                      spec={"weights": {"format": 0.5}})
    assert g.rewards == [1.5, 0.5, 1.0]
    assert [s.verdict for s in g.samples] == ["CORRECT", "WRONG_ANSWER", "CORRECT"]
    assert g.samples[2].format_problem == "missing <think>"
    assert g.samples[0].extracted == "42"
    assert g.samples[0].components == {"accuracy": 1.0, "format": 1.0}
    assert not g.zero_variance and g.error is None


def test_group_errors_are_reported_not_zeroed(server):
    with Client(server) as c:
        [g] = c.score([{"id": "empty", "gold": "1", "completions": []}])
    assert g.error is not None and "no completions" in g.error
    assert g.samples == []


def test_async_client_unary_and_stream(server):
    async def run():
        async with AsyncClient(server) as c:
            [g] = await c.score([{"id": "a", "gold": "42", "completions": [GOOD, WRONG]}])
            streamed = [r async for r in c.score_stream(
                {"id": str(i), "gold": "42", "completions": [GOOD, WRONG]} for i in range(20))]
            return g, streamed
    g, streamed = asyncio.run(run())
    assert g.rewards == [2.0, 1.0]
    assert sorted(r.group_id for r in streamed) == sorted(str(i) for i in range(20))


def test_round_robin_over_two_servers_survives_losing_one():
    (a, addr_a), (b, addr_b) = start_server(), start_server()
    try:
        target = "ipv4:" + ",".join([addr_a, addr_b])
        groups = [{"id": "q", "gold": "42", "completions": [GOOD, WRONG]}]
        with Client(target, timeout=30) as c:
            for i in range(60):
                if i == 20:
                    a.send_signal(signal.SIGKILL)  # mid-run, without warning
                    a.wait()
                [g] = c.score(groups)
                assert g.rewards == [2.0, 1.0], i
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.kill()
                p.wait()


class CountingClient(Client):
    calls = 0

    def score(self, *a, **k):
        CountingClient.calls += 1
        return super().score(*a, **k)


def test_trl_reward_funcs_share_one_call_per_batch(server):
    from verdict.trl import VerdictRewards
    client = CountingClient(server)
    funcs = VerdictRewards(server, client=client).reward_funcs()
    assert [f.__name__ for f in funcs] == ["verdict_accuracy", "verdict_format"]
    # GRPOTrainer's call: keyword arguments, the prompt repeated once per generation, dataset
    # columns (here "solution") as lists aligned with the completions, plus extra kwargs.
    prompts = ["Q1"] * 3 + ["Q2"] * 3
    completions = [GOOD, WRONG, UNFORMATTED, WRONG, WRONG, GOOD]
    kwargs = {"solution": ["42"] * 3 + ["41"] * 3, "trainer_state": object(), "completion_ids": [[1]] * 6}
    acc = funcs[0](prompts=prompts, completions=completions, **kwargs)
    fmt = funcs[1](prompts=prompts, completions=completions, **kwargs)
    assert acc == [1.0, 0.0, 1.0, 1.0, 1.0, 0.0]
    assert fmt == [1.0, 1.0, 0.0, 1.0, 1.0, 1.0]
    assert CountingClient.calls == 1


def test_trl_conversational_format_and_total(server):
    from verdict.trl import reward_funcs
    [total] = reward_funcs(server, total=True)
    prompts = [[{"role": "user", "content": "Q"}]] * 2
    completions = [[{"role": "assistant", "content": GOOD}], [{"role": "assistant", "content": WRONG}]]
    assert total(prompts=prompts, completions=completions, solution=["42", "42"]) == [2.0, 1.0]


def test_verl_compute_score_single_and_batch(server, monkeypatch):
    import verdict.verl as verl
    monkeypatch.setenv("VERDICT_ADDRESS", server)
    monkeypatch.setattr(verl, "_client", None)
    out = verl.compute_score("openai/gsm8k", GOOD, "42", extra_info={"index": 3})
    assert out["score"] == 2.0 and out["acc"] is True and out["format"] == 1.0
    outs = verl.compute_score_batch(["gsm8k"] * 2, [GOOD, WRONG], ["42", "42"], [{}, {}])
    assert [o["score"] for o in outs] == [2.0, 1.0]
    assert [o["acc"] for o in outs] == [True, False]


def test_package_installs_with_pip(tmp_path):
    import shutil
    # From a copy: building writes build/ and *.egg-info next to setup.py.
    src = tmp_path / "src"
    shutil.copytree(CLIENT, src / "clients" / "python",
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "v1"))
    shutil.copytree(os.path.join(ROOT, "proto"), src / "proto")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(src / "clients" / "python")], check=True)
    code = "import verdict, verdict.v1.verdict_pb2 as p; print(verdict.Client.__name__, p.CORRECT)"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(target)},
                         cwd=str(tmp_path), capture_output=True, text=True, check=True).stdout
    assert out.split() == ["Client", "1"]
