"""verl adapter: `compute_score` for verl's reward managers.

In the verl config:  custom_reward_function.path=<site-packages>/verdict/verl.py
                     custom_reward_function.name=compute_score        (naive, dapo, prime, and
                                                                       the reward loop)
                     or name=compute_score_batch with reward_model.reward_manager=batch
The server address comes from VERDICT_ADDRESS (default unix:/run/verdict/verdict.sock), the
per-call deadline in seconds from VERDICT_TIMEOUT (default 300).

How verl calls it (all keyword arguments):
- NaiveRewardManager (verl/workers/reward_manager/naive.py): compute_score(data_source=,
  solution_str=, ground_truth=, extra_info=), the response decoded with skip_special_tokens=True,
  ground_truth = non_tensor_batch["reward_model"]["ground_truth"] (a numpy array when the parquet
  column is a list), extra_info = the row's extra_info dict plus "num_turns".
- The reward loop (verl/experimental/reward_loop/reward_manager/naive.py) adds
  reward_router_address= and reward_model_tokenizer= (ignored here), from an executor thread.
- BatchRewardManager (verl/workers/reward_manager/batch.py): compute_score_batch(data_sources=,
  solution_strs=, ground_truths=, extra_infos=, **reward_kwargs).

What this does with them:
- ground_truth: a string, a number (its text), or a list/tuple/numpy array of acceptable answers;
  None scores format and shaping terms only (rules-only) and still returns every key.
- Instruction-following rows: an open-instruct IFEval ground truth (the text of
  [{"instruction_id": [...], "kwargs": [...]}], or RLVR-IFeval's {"func_name": ..., <args>}: see
  verdict.client.ifeval_ground_truth), or IFEval's columns put in extra_info
  ({"instruction_id_list": [...], "kwargs": [...]}), are scored as instruction constraints.
- VERDICT_SPEC: a RewardSpec as JSON for every call, e.g. '{"format": "FORMAT_TEMPLATE_NONE"}'
  for instruction data whose answers carry no <answer> tags (default: the server's spec).
- prompt: verl passes none, so a template that prefills "<think>" would cost every sample its
  format reward. The prompt is read from extra_info["prompt"] (a string: the prompt after the
  chat template) when the dataset puts it there; else, with VERDICT_PROMPT_PREFILLS_THINK=1 in
  the environment, the completion is read as starting inside <think>.
- Returns {"score": reward, "acc": bool, "verdict": str, "accuracy": .., "format": .., <other
  components>}: the same keys for every sample (verl stacks each key over the batch and asserts
  equal lengths), a component the server did not compute being 0.0.
- A sample the server could not check raises RuntimeError (verl needs a number; a silent 0 would
  read as "the model was wrong").
"""
import json
import os
import threading
from typing import Any, Dict, List, Optional

from verdict.client import Client, ifeval_ground_truth

_client = None
_lock = threading.Lock()
# Always present, so every sample's dict has the same keys.
_BASE_COMPONENTS = ("accuracy", "format")


def _get_client() -> Client:
    global _client
    with _lock:
        if _client is None:
            _client = Client(os.environ.get("VERDICT_ADDRESS", "unix:/run/verdict/verdict.sock"),
                             timeout=float(os.environ.get("VERDICT_TIMEOUT", "300")))
        return _client


def _prompt(extra_info) -> str:
    if isinstance(extra_info, dict) and isinstance(extra_info.get("prompt"), str):
        return extra_info["prompt"]
    if os.environ.get("VERDICT_PROMPT_PREFILLS_THINK", "") == "1":
        return "<think>"
    return ""


def _spec():
    text = os.environ.get("VERDICT_SPEC", "")
    return json.loads(text) if text else None


def _group(i, solution_str: str, ground_truth, extra_info) -> dict:
    g = {"id": str(i), "prompt": _prompt(extra_info), "completions": [solution_str]}
    instructions = ifeval_ground_truth(ground_truth)
    if instructions is not None:
        g["instructions"] = instructions
    elif isinstance(extra_info, dict) and extra_info.get("instruction_id_list") is not None:
        g["instruction_id_list"] = extra_info["instruction_id_list"]
        g["kwargs"] = extra_info.get("kwargs")
    elif ground_truth is not None:
        g["gold"] = ground_truth
    return g


def _as_dict(sample) -> Dict[str, Any]:
    if sample is None or not sample.ok:
        # verl needs a number; report the failure loudly rather than as a plain 0 reward.
        reason = "group error" if sample is None else sample.error
        raise RuntimeError(f"verdict could not check this sample: {reason}")
    out = {"score": sample.reward, "acc": sample.verdict == "CORRECT", "verdict": sample.verdict}
    for name in _BASE_COMPONENTS:
        out[name] = 0.0
    out.update(sample.components)
    return out


def compute_score(data_source: str = "", solution_str: str = "", ground_truth=None,
                  extra_info: Optional[dict] = None, **kwargs) -> Dict[str, Any]:
    """verl's single-sample form."""
    index = extra_info.get("index", "") if isinstance(extra_info, dict) else ""
    [result] = _get_client().score([_group(index, solution_str, ground_truth, extra_info)],
                                   spec=_spec())
    if result.error:
        raise RuntimeError(f"verdict could not score this sample: {result.error}")
    return _as_dict(result.samples[0])


def compute_score_batch(data_sources: List[str], solution_strs: List[str], ground_truths: List,
                        extra_infos: Optional[List[dict]] = None, **kwargs) -> List[Dict[str, Any]]:
    """verl's batch form (BatchRewardManager): one server call for the whole batch."""
    extra_infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    groups = [_group(i, s, gt, ei)
              for i, (s, gt, ei) in enumerate(zip(solution_strs, ground_truths, extra_infos))]
    results = _get_client().score(groups, spec=_spec())
    return [_as_dict(None if r.error else r.samples[0]) for r in results]
