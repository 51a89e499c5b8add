"""verl adapter: `compute_score` for verl's reward managers.

In the verl config:  custom_reward_function.path=<site-packages>/verdict/verl.py
                     custom_reward_function.name=compute_score        (NaiveRewardManager)
                     or name=compute_score_batch with reward_model.reward_manager=batch
The server address comes from VERDICT_ADDRESS (default unix:/run/verdict/verdict.sock).
Returns verl's dict form: {"score": reward, "acc": bool, <each component>: value, ...}.
"""
import os
import threading
from typing import Any, Dict, List, Optional

from verdict.client import Client

_client = None
_lock = threading.Lock()


def _get_client() -> Client:
    global _client
    with _lock:
        if _client is None:
            _client = Client(os.environ.get("VERDICT_ADDRESS", "unix:/run/verdict/verdict.sock"),
                             timeout=float(os.environ.get("VERDICT_TIMEOUT", "300")))
        return _client


def _as_dict(sample) -> Dict[str, Any]:
    if sample is None or not sample.ok:
        # verl needs a number; report the failure loudly rather than as a plain 0 reward.
        reason = "group error" if sample is None else sample.error
        raise RuntimeError(f"verdict could not check this sample: {reason}")
    out = {"score": sample.reward, "acc": sample.verdict == "CORRECT", "verdict": sample.verdict}
    out.update(sample.components)
    return out


def compute_score(data_source: str, solution_str: str, ground_truth, extra_info: Optional[dict] = None,
                  **kwargs) -> Dict[str, Any]:
    """verl's single-sample form."""
    group = {"id": str((extra_info or {}).get("index", "")), "gold": ground_truth,
             "completions": [solution_str]}
    [result] = _get_client().score([group])
    return _as_dict(None if result.error else result.samples[0])


def compute_score_batch(data_sources: List[str], solution_strs: List[str], ground_truths: List,
                        extra_infos: Optional[List[dict]] = None, **kwargs) -> List[Dict[str, Any]]:
    """verl's batch form (BatchRewardManager): one server call for the whole batch."""
    groups = [{"id": str(i), "gold": gt, "completions": [s]}
              for i, (s, gt) in enumerate(zip(solution_strs, ground_truths))]
    results = _get_client().score(groups)
    return [_as_dict(None if r.error else r.samples[0]) for r in results]
