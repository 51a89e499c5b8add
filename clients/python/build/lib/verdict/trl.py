"""TRL adapter: reward functions for `GRPOTrainer(reward_funcs=...)`.

    from verdict.trl import reward_funcs
    trainer = GRPOTrainer(model=..., reward_funcs=reward_funcs("unix:/run/verdict.sock",
                                                               gold_column="solution"), ...)

TRL calls each reward function as f(prompts=..., completions=..., **dataset_columns) and logs it
under its __name__. Here every component ("accuracy", "format", ...) is its own function so TRL
logs each, and all of them share ONE server call per batch: the first function called scores
the batch, the others read the cached results. Consecutive completions of the same prompt form
a group. A sample the server could not check is None (TRL ignores it), never a silent 0.
"""
import threading
from typing import Callable, List, Optional, Sequence

from verdict.client import Client


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
                 gold_column: str = "solution", spec=None, timeout: Optional[float] = 120.0,
                 total: bool = False, client: Optional[Client] = None):
        self._client = client or Client(address, timeout=timeout)
        self._components = list(components)
        self._gold_column = gold_column
        self._spec = spec
        self._total = total
        self._lock = threading.Lock()
        self._cache_key = None
        self._cache = None

    def _score(self, prompts, completions, kwargs):
        prompt_texts = [_text(p) for p in prompts]
        completion_texts = [_text(c) for c in completions]
        key = (tuple(prompt_texts), tuple(completion_texts))
        with self._lock:
            if key == self._cache_key:
                return self._cache
            golds = kwargs.get(self._gold_column)
            groups, index = [], []
            for i, (p, c) in enumerate(zip(prompt_texts, completion_texts)):
                if not groups or groups[-1]["prompt"] != p:
                    g = {"id": str(len(groups)), "prompt": p, "completions": []}
                    if golds is not None:
                        g["gold"] = golds[i]
                    groups.append(g)
                index.append((len(groups) - 1, len(groups[-1]["completions"])))
                groups[-1]["completions"].append(c)
            results = self._client.score(groups, spec=self._spec)
            flat = []
            for gi, si in index:
                g = results[gi]
                flat.append(None if g.error is not None else g.samples[si])
            self._cache_key, self._cache = key, flat
            return flat

    def _component_fn(self, name: str) -> Callable:
        def fn(prompts, completions, **kwargs) -> List[Optional[float]]:
            samples = self._score(prompts, completions, kwargs)
            return [None if s is None or not s.ok or name not in s.components
                    else s.components[name] for s in samples]
        fn.__name__ = f"verdict_{name}"
        return fn

    def _total_fn(self) -> Callable:
        def fn(prompts, completions, **kwargs) -> List[Optional[float]]:
            samples = self._score(prompts, completions, kwargs)
            return [None if s is None or not s.ok else s.reward for s in samples]
        fn.__name__ = "verdict_reward"
        return fn

    def reward_funcs(self) -> List[Callable]:
        if self._total:
            return [self._total_fn()]
        return [self._component_fn(n) for n in self._components]


def reward_funcs(address: str, **kwargs) -> List[Callable]:
    """One reward function per component (default accuracy and format), or with total=True one
    function returning the weighted reward. Pass reward_weights to GRPOTrainer to weigh them."""
    return VerdictRewards(address, **kwargs).reward_funcs()
