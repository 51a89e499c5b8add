"""Every advantage estimator against an independent numpy implementation on random batches.

numpy here is written from the published definitions (rewards/advantages.h cites them), not from
the C++ code: GRPO (group std), Dr. GRPO, RLOO, REINFORCE++-baseline (batch whitening), the scale
overrides, sample vs population std, GDPO-style per-component normalisation, errored samples left
out, and zero-variance groups at exactly 0.
"""
import itertools
import json
import os
import subprocess

import numpy as np
import pytest

TOOL = os.environ.get("ADVANTAGES_TOOL", "build/release/tests/rewards/rewards_advantages_tool")
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


def reference(batch, est, scale, kind, eps, gdpo, weights):
    scale = DEFAULT_SCALE[est] if scale == "default" else scale
    advs, zvs = [], []
    for g in batch:
        acc, fmt, scored = (np.array(g[k], dtype=float) for k in ("accuracy", "format", "scored"))
        scored = scored.astype(bool)
        reward = weights["accuracy"] * acc + weights["format"] * fmt
        a, zv = group_adv(reward, scored, est, scale, kind, eps)
        if gdpo and est != "none":
            a_acc, z1 = group_adv(acc, scored, est, scale, kind, eps)
            a_fmt, z2 = group_adv(fmt, scored, est, scale, kind, eps)
            a, zv = weights["accuracy"] * a_acc + weights["format"] * a_fmt, z1 and z2
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


def random_batch(rng):
    batch = []
    for _ in range(rng.integers(1, 8)):
        n = int(rng.integers(1, 17))
        batch.append({
            "accuracy": rng.integers(0, 2, n).tolist(),
            "format": rng.integers(0, 2, n).tolist(),
            "scored": (rng.random(n) > 0.1).tolist(),
        })
    return batch


CASES = list(itertools.product(["grpo", "dr_grpo", "rloo", "reinforce_pp_baseline", "none"],
                               ["default", "group", "batch", "none"],
                               ["sample", "population"], [False, True]))


@pytest.mark.parametrize("est,scale,kind,gdpo", CASES)
def test_matches_numpy(est, scale, kind, gdpo):
    rng = np.random.default_rng(abs(hash((est, scale, kind, gdpo))) % 2**32)
    for _ in range(20):
        batch = random_batch(rng)
        eps = float(rng.choice([0.0, 1e-6, 1e-4, 0.1]))
        weights = {"accuracy": float(rng.uniform(0.1, 2)), "format": float(rng.uniform(0, 1))}
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
            r = (weights["accuracy"] * np.array(grp["accuracy"]) + weights["format"] * np.array(grp["format"]))
            sc = np.array(grp["scored"], dtype=bool)
            if sc.any():
                assert g["mean"] == pytest.approx(r[sc].mean(), abs=1e-12)
                assert g["std"] == pytest.approx(std(r[sc], kind), abs=1e-12)
