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


# --- verl: compute_score exactly as its reward managers call it --------------------------------

def _verl(server, monkeypatch):
    import verdict.verl as verl
    monkeypatch.setenv("VERDICT_ADDRESS", server)
    monkeypatch.setattr(verl, "_client", None)
    return verl


def test_verl_numpy_ground_truth_is_a_list_of_golds(server, monkeypatch):
    import numpy as np
    verl = _verl(server, monkeypatch)
    # A parquet list column reaches compute_score as a numpy object array
    # (non_tensor_batch["reward_model"]["ground_truth"], verl/workers/reward_manager/naive.py).
    out = verl.compute_score(data_source="x", solution_str=GOOD, ground_truth=np.array(["41", "42"], dtype=object),
                             extra_info={"index": 0})
    assert out["acc"] is True and out["score"] == 2.0
    out = verl.compute_score(data_source="x", solution_str=GOOD, ground_truth=np.int64(42), extra_info={})
    assert out["acc"] is True
    outs = verl.compute_score_batch(data_sources=["x"] * 2, solution_strs=[GOOD, GOOD],
                                    ground_truths=[np.array(["42"]), np.array([42])], extra_infos=[{}, {}])
    assert [o["acc"] for o in outs] == [True, True]


def test_verl_naive_manager_validation_gets_equal_length_extra_info(server, monkeypatch):
    from collections import defaultdict
    verl = _verl(server, monkeypatch)
    # NaiveRewardManager.__call__: one call per sample, every key of the dict appended to
    # reward_extra_info[key]; validation then asserts len(lst) == len(sample_scores) per key.
    batch = [(GOOD, "42"), (WRONG, None), (UNFORMATTED, "42")]
    reward_extra_info, scores = defaultdict(list), []
    for solution, gt in batch:
        extra_info = {"index": 1, "split": "test"}
        extra_info["num_turns"] = None
        score = verl.compute_score(data_source="gsm8k", solution_str=solution, ground_truth=gt,
                                   extra_info=extra_info)
        scores.append(score["score"])
        for key, value in score.items():
            reward_extra_info[key].append(value)
    assert all(len(v) == len(scores) for v in reward_extra_info.values()), \
        {k: len(v) for k, v in reward_extra_info.items()}
    assert scores == [2.0, 1.0, 1.0]


def test_verl_reads_the_prompt_from_extra_info_for_prefilled_think(server, monkeypatch):
    import asyncio
    verl = _verl(server, monkeypatch)
    prefilled = "6*7=42</think><answer>42</answer>"  # the template put "<think>" in the prompt
    prompt = "<|im_start|>user\nWhat is 6*7?<|im_end|>\n<|im_start|>assistant\n<think>\n"

    async def reward_loop():
        # verl/experimental/reward_loop/reward_manager/naive.py: a sync compute_score runs in the
        # loop's executor with the reward-model arguments added.
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, lambda: verl.compute_score(
            data_source="x", solution_str=prefilled, ground_truth="42",
            extra_info={"prompt": prompt, "num_turns": None},
            reward_router_address=None, reward_model_tokenizer=None))
    out = asyncio.run(reward_loop())
    assert out["format"] == 1.0 and out["score"] == 2.0
    # Without a prompt the format fails, unless the environment says the template prefills.
    assert verl.compute_score(data_source="x", solution_str=prefilled, ground_truth="42",
                              extra_info={})["format"] == 0.0
    monkeypatch.setenv("VERDICT_PROMPT_PREFILLS_THINK", "1")
    assert verl.compute_score(data_source="x", solution_str=prefilled, ground_truth="42",
                              extra_info={})["format"] == 1.0


# --- TRL: GRPOTrainer._calculate_rewards call shapes (trl/trainer/grpo_trainer.py) ------------

def test_trl_wrong_gold_column_raises_naming_the_columns(server):
    from verdict.trl import reward_funcs
    acc, _ = reward_funcs(server, gold_column="answer")
    with pytest.raises(KeyError, match="'answer' is not a column.*'solution'"):
        acc(prompts=["Q"], completions=[GOOD], completion_ids=[[1]], solution=["42"],
            trainer_state=object())


def test_trl_reward_funcs_pickle_and_still_share_one_call(server):
    import pickle
    from verdict.trl import reward_funcs
    funcs = pickle.loads(pickle.dumps(reward_funcs(server)))
    assert [f.__name__ for f in funcs] == ["verdict_accuracy", "verdict_format"]
    assert funcs[0].rewards is funcs[1].rewards
    kwargs = {"solution": ["42", "42"], "completion_ids": [[1], [2]]}
    assert funcs[0](prompts=["Q", "Q"], completions=[GOOD, UNFORMATTED], **kwargs) == [1.0, 1.0]
    assert funcs[1](prompts=["Q", "Q"], completions=[GOOD, UNFORMATTED], **kwargs) == [1.0, 0.0]
    [total] = pickle.loads(pickle.dumps(reward_funcs(server, total=True)))
    assert total.__name__ == "verdict_reward"
    assert total(prompts=["Q"], completions=[GOOD], solution=["42"]) == [2.0]


def test_trl_batch_cache_key_includes_the_golds(server):
    from verdict.trl import reward_funcs
    acc, _ = reward_funcs(server)
    same = {"prompts": ["Q", "Q"], "completions": [GOOD, WRONG]}
    assert acc(**same, solution=["42", "42"]) == [1.0, 0.0]
    assert acc(**same, solution=["41", "41"]) == [0.0, 1.0]
