"""Python client for the Verdict reward service.

    from verdict import Client
    with Client("unix:/run/verdict.sock") as c:
        [group] = c.score([{"id": "q1", "gold": "42",
                            "completions": ["<think>6*7</think><answer>42</answer>"]}])
        print(group.rewards, group.advantages)

Trainer adapters: verdict.trl (GRPOTrainer reward_funcs), verdict.verl (compute_score).
Stubs are generated from proto/verdict/v1/verdict.proto when the package is installed
(pip install clients/python) or with `python -m verdict._codegen` in a checkout.
"""
from verdict.client import (AsyncClient, Client, group_from_dict, ifeval_ground_truth,
                            instruction_constraints)
from verdict.types import GroupResult, SampleResult

__all__ = ["AsyncClient", "Client", "GroupResult", "SampleResult", "group_from_dict",
           "ifeval_ground_truth", "instruction_constraints"]
