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


# --- Instruction-following rows (IFEval constraints) through the adapters ---------------------

# allenai/RLVR-IFeval's ground_truth (open-instruct's IFEvalVerifierOld): a JSON object naming an
# open_instruct/if_functions.py function, every other argument null (as in the dataset viewer).
_LEGACY_KEYS = ["N", "quantifier", "end_phrase", "keyword_list", "word", "forbidden_words", "letter",
                "i", "first_word", "postscript_marker", "options", "section_splitter",
                "original_prompt"]


def _legacy(func_name, **args):
    import json
    row = {"func_name": func_name, **{k: None for k in _LEGACY_KEYS}}
    row.update(args)
    return json.dumps(row)


LOWER = "this answer is written in english and in lower case letters only, as asked."
UPPER_TOO = "This Answer Has Capital Letters In It, which was not allowed."


def test_ifeval_ground_truth_reads_both_open_instruct_shapes():
    import json
    import numpy as np
    from verdict import ifeval_ground_truth
    assert ifeval_ground_truth(_legacy("validate_lowercase")) == [
        {"id": "change_case:english_lowercase"}]
    assert ifeval_ground_truth(_legacy("validate_word_constraint", N=300, quantifier="at most")) == [
        {"id": "length_constraints:number_words", "num_words": 301, "relation": "less than"}]
    assert ifeval_ground_truth(_legacy("validate_sections", N=3, section_splitter="SECTION")) == [
        {"id": "detectable_format:multiple_sections", "num_sections": 3, "section_spliter": "SECTION"}]
    assert ifeval_ground_truth(_legacy("verify_keyword_frequency", word="cat", N=2)) == [
        {"id": "if_functions:verify_keyword_frequency", "keyword": "cat", "frequency": 2}]
    # Rules with no same-rule counterpart are an error, not a different check.
    for unmapped in (_legacy("validate_choice", options="yes, no"),
                     _legacy("validate_word_constraint", N=100, quantifier="around"),
                     _legacy("validate_rainbow"),
                     _legacy("validate_title", N=3)):
        with pytest.raises(ValueError):
            ifeval_ground_truth(unmapped)
    # IFEvalVerifier (open-instruct's IFEvalG rows): ast.literal_eval(label)[0], a dict or its JSON.
    multi = {"instruction_id": ["detectable_format:title", "punctuation:no_comma"],
             "kwargs": [None, {"num_words": None}]}
    want = [{"id": "detectable_format:title"}, {"id": "punctuation:no_comma", "num_words": None}]
    assert ifeval_ground_truth(str([multi])) == want
    assert ifeval_ground_truth(json.dumps([json.dumps(multi)])) == want
    assert ifeval_ground_truth([json.dumps(multi)]) == want  # a list column (faezeb/RLVR-IFeval)
    assert ifeval_ground_truth(np.array([json.dumps(multi)], dtype=object)) == want  # via parquet
    # Math golds stay math golds.
    for gold in ("42", "[1, 2]", "{1, 2}", '{"a": 1}', "\\{1\\}", np.array(["41", "42"]), 42, None):
        assert ifeval_ground_truth(gold) is None, gold


def test_verl_scores_rlvr_ifeval_rows_as_instructions(server, monkeypatch):
    import numpy as np
    verl = _verl(server, monkeypatch)
    monkeypatch.setenv("VERDICT_SPEC", '{"format": "FORMAT_TEMPLATE_THINK_ONLY"}')
    gt = _legacy("validate_lowercase")
    # The reasoning is not the answer: capitals there cost nothing, in the answer they do.
    out = verl.compute_score(data_source="ifeval", solution_str="<think>Plan: Lower Case.</think>" + LOWER,
                             ground_truth=gt, extra_info={"index": 0, "num_turns": None})
    assert out["acc"] is True and out["accuracy"] == 1.0, out
    out = verl.compute_score(data_source="ifeval", solution_str="<think>ok</think>" + UPPER_TOO,
                             ground_truth=gt, extra_info={"index": 1})
    assert out["acc"] is False and out["accuracy"] == 0.0
    # Constraints met only inside <think>, nothing after it: no reward.
    out = verl.compute_score(data_source="ifeval", solution_str="<think>" + LOWER + "</think>",
                             ground_truth=gt, extra_info={})
    assert out["accuracy"] == 0.0
    # A batch mixing math and instruction rows; IFEval's columns in extra_info as parquet gives them.
    ifeval_extra = {"instruction_id_list": np.array(["punctuation:no_comma", "detectable_format:title"],
                                                    dtype=object),
                    "kwargs": np.array([{"num_words": None}, {"num_words": None}], dtype=object)}
    monkeypatch.setenv("VERDICT_SPEC", '{"format": "FORMAT_TEMPLATE_NONE"}')
    outs = verl.compute_score_batch(
        data_sources=["gsm8k", "ifeval", "ifeval"],
        solution_strs=["so it is \\boxed{42}", "<<Title>>\nNo comma here", "<<Title>>\nA, B"],
        ground_truths=["42", None, None], extra_infos=[{}, ifeval_extra, ifeval_extra])
    assert [o["accuracy"] for o in outs] == [1.0, 1.0, 0.5]
    assert len({tuple(sorted(o)) for o in outs}) == 1  # the same keys for every sample
    # A constraint the registry lacks is an error for the sample, never a reward.
    # RLVR-IFeval's "* * *" paragraphs, a rule IFEval's ids lack.
    outs = verl.compute_score_batch(data_sources=["ifeval"] * 2,
                                    solution_strs=["One.\n* * *\nTwo.", "One.\n***\nTwo."],
                                    ground_truths=[_legacy("verify_paragraph_count", N=2)] * 2,
                                    extra_infos=[{}, {}])
    assert [o["accuracy"] for o in outs] == [1.0, 0.0]
    with pytest.raises(ValueError, match="no counterpart"):
        verl.compute_score(data_source="ifeval", solution_str=LOWER,
                           ground_truth=_legacy("validate_choice", options="a, b"), extra_info={})
    # IFEvalG's additions the registry has score; those it lacks are an error.
    ifevalg = str([{"instruction_id": ["punctuation:punctuation_dot", "keywords:word_once"],
                    "kwargs": [None, {"keyword": "sea", "first_word": None}]}])
    outs = verl.compute_score_batch(data_sources=["ifeval"] * 2,
                                    solution_strs=["The sea is calm", "The sea. The sea."],
                                    ground_truths=[ifevalg] * 2, extra_infos=[{}, {}])
    assert [o["accuracy"] for o in outs] == [1.0, 0.0]
    bad = str([{"instruction_id": ["last_word:last_word_answer"], "kwargs": [None]}])
    with pytest.raises(RuntimeError, match="unknown constraint id"):
        verl.compute_score(data_source="ifeval", solution_str=LOWER, ground_truth=bad, extra_info={})


def test_trl_reads_ifeval_columns_and_open_instruct_ground_truths(server):
    import pickle
    from verdict.trl import reward_funcs
    spec = {"format": "FORMAT_TEMPLATE_NONE"}
    # google/IFEval's columns: instruction_id_list and kwargs (every key, None where unused).
    acc, _ = pickle.loads(pickle.dumps(reward_funcs(server, gold_column="instruction_id_list",
                                                    spec=spec)))
    kw = {"num_words": None, "relation": None, "keywords": None}
    columns = {"instruction_id_list": [["punctuation:no_comma", "keywords:existence"]] * 2 + [["detectable_format:title"]],
               "kwargs": [[{**kw}, {**kw, "keywords": ["ocean"]}]] * 2 + [[{**kw}]],
               "key": [1, 1, 2], "completion_ids": [[1]] * 3, "trainer_state": object()}
    got = acc(prompts=["Q1", "Q1", "Q2"],
              completions=["The ocean is deep", "The ocean, deep", "<<T>> body"], **columns)
    assert got == [1.0, 0.5, 1.0]
    # open-instruct's ground_truth column (RLVR-IFeval), mixed with a math row in one batch.
    acc, fmt = reward_funcs(server, gold_column="ground_truth", spec=spec)
    got = acc(prompts=[[{"role": "user", "content": "Q"}]] * 2 + ["M"],
              completions=[[{"role": "assistant", "content": LOWER}],
                           [{"role": "assistant", "content": UPPER_TOO}], "\\boxed{42}"],
              ground_truth=[_legacy("validate_lowercase")] * 2 + ["42"])
    assert got == [1.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="no counterpart"):
        acc(prompts=["Q"], completions=[LOWER], ground_truth=[_legacy("validate_choice", options="a, b")])
