"""Python client for the Verdict reward service.

    from verdict import Client
    with Client("unix:/run/verdict.sock") as c:
        results = c.score([{"id": "g1", "gold": "42", "completions": ["<think>..</think><answer>42</answer>"]}])

Stubs are generated from proto/verdict/v1/verdict.proto at install time (pip install
clients/python) or with `python -m verdict._codegen` in a checkout.
"""
from verdict.client import Client, group_from_dict

__all__ = ["Client", "group_from_dict"]
