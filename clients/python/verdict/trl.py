"""TRL adapter: reward functions for `GRPOTrainer(reward_funcs=...)`.

    from verdict.trl import reward_funcs
    trainer = GRPOTrainer(model=..., reward_funcs=reward_funcs("unix:/run/verdict.sock",
                                                               gold_column="solution"), ...)

TRL (trl/trainer/grpo_trainer.py, GRPOTrainer._calculate_rewards) calls each reward function as
f(prompts=..., completions=..., completion_ids=..., trainer_state=..., **dataset_columns) and logs
it under its __name__. Here every component ("accuracy", "format", ...) is its own function so
TRL logs each, and all of them share ONE server call per batch: the first function called scores
the batch, the others read the cached results (the cache key is the prompts, completions and
golds). Consecutive completions of the same prompt form a group.

- gold_column: the dataset column with the gold answer (a string, a number, or a list of
  acceptable answers). A column the batch does not have raises KeyError naming the columns it
  has; gold_column=None scores format and shaping terms only (rules-only).
- Instruction following: gold_column="instruction_id_list" reads IFEval's columns
  (instruction_id_list and kwargs, as google/IFEval has them); a gold column holding
  open-instruct IFEval ground truths (its "ground_truth" column: see
  verdict.client.ifeval_ground_truth) is read as instruction constraints row by row.
- A sample the server could not check is None (TRL turns it into NaN and ignores it), never a
  silent 0.
- The functions are instances of module-level classes, so they pickle (TRL's async trainer and
  multiprocessing send them to other processes); the server connection is re-opened after
  unpickling, and functions pickled together still share one call per batch.
"""
import threading
from typing import Callable, List, Optional, Sequence

import json

from verdict.client import DEFAULT_TIMEOUT_S, Client, gold_answers, ifeval_ground_truth


def _text(x) -> str:
    """A completion or prompt in TRL's standard (str) or conversational (messages) form."""
    if isinstance(x, str):
        return x
    if isinstance(x, list):  # [{"role": ..., "content": ...}, ...]: the concatenated contents
        return "".join(m.get("content", "") if isinstance(m, dict) else str(m) for m in x)
    return str(x)


class VerdictRewards:
    """Scores a TRL batch once and serves its components to several reward functions."""

    def __init__(self, address: str, components: Sequence[str] = ("accuracy", "format"),
                 gold_column: Optional[str] = "solution", spec=None,
                 timeout: Optional[float] = DEFAULT_TIMEOUT_S, total: bool = False,
                 client: Optional[Client] = None):
        self._address = address
        self._timeout = timeout
        self._client = client
        self._components = list(components)
        self._gold_column = gold_column
        self._spec = spec
        self._total = total
        self._lock = threading.Lock()
        self._cache_key = None
        self._cache = None

    # A gRPC channel and a lock cannot be pickled: they are made again on the other side.
    def __getstate__(self):
        state = dict(self.__dict__)
        state.update(_client=None, _lock=None, _cache_key=None, _cache=None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _get_client(self) -> Client:
        if self._client is None:
            self._client = Client(self._address, timeout=self._timeout)
        return self._client

    def _column(self, kwargs, name: str, n: int) -> list:
        values = list(kwargs[name])
        if len(values) != n:
            raise ValueError(f"verdict.trl: column {name!r} has {len(values)} values for {n} "
                             "completions")
        return values

    def _references(self, kwargs, n: int):
        """Each completion's reference as group fields: {"gold": [...]}, {"instructions": [...]},
        or {} (rules-only)."""
        if self._gold_column is None:
            return [{} for _ in range(n)]
        if self._gold_column not in kwargs:
            columns = sorted(k for k in kwargs if k not in ("trainer_state", "completion_ids"))
            raise KeyError(f"verdict.trl: gold_column {self._gold_column!r} is not a column of "
                           f"this batch (columns: {columns}); pass gold_column=<the column with "
                           "the gold answer>, or gold_column=None for format-only rewards")
        golds = self._column(kwargs, self._gold_column, n)
        if self._gold_column == "instruction_id_list":  # IFEval's columns
            params = self._column(kwargs, "kwargs", n) if "kwargs" in kwargs else [None] * n
            return [{"instruction_id_list": list(ids), "kwargs": p}
                    for ids, p in zip(golds, params)]
        refs = []
        for g in golds:
            instructions = ifeval_ground_truth(g)
            refs.append({"gold": gold_answers(g)} if instructions is None
                        else {"instructions": instructions})
        return refs

    def _score(self, prompts, completions, kwargs):
        prompt_texts = [_text(p) for p in prompts]
        completion_texts = [_text(c) for c in completions]
        refs = self._references(kwargs, len(completion_texts))
        # One hashable text per reference (parquet rows hold numpy arrays: default=str).
        ref_keys = [json.dumps(r, sort_keys=True, default=str) for r in refs]
        key = (tuple(prompt_texts), tuple(completion_texts), tuple(ref_keys))
        with self._lock:
            if key == self._cache_key:
                return self._cache
            groups, group_refs, index = [], [], []
            for p, c, ref, ref_key in zip(prompt_texts, completion_texts, refs, ref_keys):
                if not groups or groups[-1]["prompt"] != p or group_refs[-1] != ref_key:
                    groups.append(dict(ref, id=str(len(groups)), prompt=p, completions=[]))
                    group_refs.append(ref_key)
                index.append((len(groups) - 1, len(groups[-1]["completions"])))
                groups[-1]["completions"].append(c)
            results = self._get_client().score(groups, spec=self._spec)
            flat = []
            for gi, si in index:
                g = results[gi]
                flat.append(None if g.error is not None else g.samples[si])
            self._cache_key, self._cache = key, flat
            return flat

    def reward_funcs(self) -> List[Callable]:
        if self._total:
            return [TotalReward(self)]
        return [ComponentReward(self, n) for n in self._components]


class ComponentReward:
    """One component of the reward as a TRL reward function (named verdict_<component>)."""

    def __init__(self, rewards: VerdictRewards, name: str):
        self.rewards = rewards
        self.component = name
        self.__name__ = f"verdict_{name}"

    def __call__(self, prompts, completions, **kwargs) -> List[Optional[float]]:
        samples = self.rewards._score(prompts, completions, kwargs)
        return [None if s is None or not s.ok or self.component not in s.components
                else s.components[self.component] for s in samples]


class TotalReward:
    """The weighted reward as one TRL reward function (named verdict_reward)."""
    __name__ = "verdict_reward"

    def __init__(self, rewards: VerdictRewards):
        self.rewards = rewards

    def __call__(self, prompts, completions, **kwargs) -> List[Optional[float]]:
        samples = self.rewards._score(prompts, completions, kwargs)
        return [None if s is None or not s.ok else s.reward for s in samples]


def reward_funcs(address: str, **kwargs) -> List[Callable]:
    """One reward function per component (default accuracy and format), or with total=True one
    function returning the weighted reward. Pass reward_weights to GRPOTrainer to weigh them."""
    return VerdictRewards(address, **kwargs).reward_funcs()
