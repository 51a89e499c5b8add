"""Every advantage estimator against an independent numpy implementation on random batches.

numpy here is written from the published definitions (rewards/advantages.h cites them), not from
the C++ code: GRPO (group std), Dr. GRPO, RLOO, REINFORCE++-baseline (batch whitening), the scale
overrides, sample vs population std, GDPO-style per-component normalisation over every
component (each with its own non-unit weight), errored samples left out, and zero-variance groups
at exactly 0.
"""
import itertools
import json
import os
import subprocess

import numpy as np
import pytest

TOOL = os.environ.get("ADVANTAGES_TOOL", "build/release/tests/rewards/rewards_advantages_tool")
# Every reward component (rewards/component.h) with the range its values take.
COMPONENTS = {"accuracy": (0, 1), "format": (0, 1), "language": (0, 1), "overlong": (-1, 0),
              "length": (-0.5, 0.5), "cosine": (-1, 1), "repetition": (-1, 0)}
DEFAULT_SCALE = {"grpo": "group", "dr_grpo": "none", "rloo": "none",
                 "reinforce_pp_baseline": "batch", "none": "none"}


def std(x, kind):
    if len(x) == 0:
        return 0.0
    if kind == "population":
        return float(np.std(x))
    return float(np.std(x, ddof=1)) if len(x) > 1 else 0.0


def group_adv(values, scored, est, scale, kind, eps):
    """Group-level part: baseline subtracted, divided by the group std if that is the scale."""
    x = values[scored]
    out = np.zeros(len(values))
    zero_variance = len(x) < 2 or bool(np.all(x == x[0]))
    if zero_variance or est == "none":
        return out, zero_variance
    if est == "rloo":
        base = (x.sum() - x) / (len(x) - 1)
    else:
        base = np.full(len(x), x.mean())
    a = x - base
    if scale == "group":
        a = a / (std(x, kind) + eps)
    out[scored] = a
    return out, False


def reward_of(g, weights):
    return sum(weights[c] * np.array(v, dtype=float) for c, v in g["components"].items())


def reference(batch, est, scale, kind, eps, gdpo, weights):
    scale = DEFAULT_SCALE[est] if scale == "default" else scale
    advs, zvs = [], []
    for g in batch:
        scored = np.array(g["scored"], dtype=bool)
        a, zv = group_adv(reward_of(g, weights), scored, est, scale, kind, eps)
        if gdpo and est != "none":
            a, zv = np.zeros(len(scored)), True
            for c, v in g["components"].items():
                a_c, z_c = group_adv(np.array(v, dtype=float), scored, est, scale, kind, eps)
                a, zv = a + weights[c] * a_c, zv and z_c
        advs.append(a)
        zvs.append(zv)
    if scale == "batch" and est != "none":
        flat = np.concatenate([a[np.array(g["scored"], dtype=bool)] for a, g in zip(advs, batch)])
        if len(flat):
            m, s = flat.mean(), std(flat, kind)
            for a, g, zv in zip(advs, batch, zvs):
                sc = np.array(g["scored"], dtype=bool)
                if not zv:
                    a[sc] = (a[sc] - m) / (s + eps)
    return advs, zvs


def random_values(rng, component, n):
    lo, hi = COMPONENTS[component]
    if rng.random() < 0.5:  # few distinct values: ties and zero-variance components
        return rng.choice([lo, hi], n).tolist()
    return rng.uniform(lo, hi, n).tolist()


def random_batch(rng):
    """Groups with a random subset of the components (the same in every group of a batch)."""
    names = [c for c in COMPONENTS if rng.random() < 0.6] or ["accuracy"]
    batch = []
    for _ in range(rng.integers(1, 8)):
        n = int(rng.integers(1, 17))
        batch.append({
            "components": {c: random_values(rng, c, n) for c in names},
            "scored": (rng.random(n) > 0.1).tolist(),
        })
    return batch


def random_weights(rng):
    """A weight per component, none of them 1 (a weight ignored as 1 must show)."""
    return {c: float(rng.choice([-1, 1]) * rng.uniform(0.1, 0.9) if rng.random() < 0.3
                     else rng.uniform(1.1, 2.5)) for c in COMPONENTS}


CASES = list(itertools.product(["grpo", "dr_grpo", "rloo", "reinforce_pp_baseline", "none"],
                               ["default", "group", "batch", "none"],
                               ["sample", "population"], [False, True]))


@pytest.mark.parametrize("est,scale,kind,gdpo", CASES)
def test_matches_numpy(est, scale, kind, gdpo):
    rng = np.random.default_rng(abs(hash((est, scale, kind, gdpo))) % 2**32)
    for _ in range(20):
        batch = random_batch(rng)
        eps = float(rng.choice([0.0, 1e-6, 1e-4, 0.1]))
        weights = random_weights(rng)
        request = {"estimator": est, "scale": scale, "std": kind, "epsilon": eps,
                   "normalize_components": gdpo, "weights": weights, "groups": batch}
        out = subprocess.run([TOOL], input=json.dumps(request), capture_output=True, text=True,
                             check=True).stdout.splitlines()
        got = [json.loads(line) for line in out]
        want, zvs = reference(batch, est, scale, kind, eps, gdpo, weights)
        assert len(got) == len(want)
        for g, w, zv, grp in zip(got, want, zvs, batch):
            np.testing.assert_allclose(g["advantages"], w, rtol=1e-9, atol=1e-9)
            assert g["zero_variance"] == zv
            r = reward_of(grp, weights)
            sc = np.array(grp["scored"], dtype=bool)
            if sc.any():
                assert g["mean"] == pytest.approx(r[sc].mean(), abs=1e-12)
                assert g["std"] == pytest.approx(std(r[sc], kind), abs=1e-12)


def test_gdpo_weights_every_component():
    """The issue's example: two correct completions whose only difference is the cosine term
    (weight 0.5) get advantages of +-0.5/sqrt(2), not +-1/sqrt(2); likewise for each component."""
    for c in COMPONENTS:
        others = {o: [1, 1] for o in COMPONENTS if o != c}
        request = {"estimator": "grpo", "scale": "default", "std": "sample", "epsilon": 0.0,
                   "normalize_components": True, "weights": {o: 1.0 for o in COMPONENTS},
                   "groups": [{"components": {**others, c: [0.25, 0.75]},
                               "scored": [True, True]}]}
        request["weights"][c] = 0.5
        out = subprocess.run([TOOL], input=json.dumps(request), capture_output=True, text=True,
                             check=True).stdout
        np.testing.assert_allclose(json.loads(out)["advantages"],
                                   [-0.5 / np.sqrt(2), 0.5 / np.sqrt(2)], rtol=1e-12, err_msg=c)
