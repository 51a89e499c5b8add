"""Synchronous and asyncio clients over the generated verdict.v1 stubs.

Addresses: "host:port", "unix:/path/to.sock", "ipv4:10.0.0.1:50051,10.0.0.2:50051" (several
servers), or "dns:///verdict.ns.svc.cluster.local:50051" (a headless Kubernetes Service: every
pod). With several backends, calls are spread round-robin. Calls that fail with UNAVAILABLE are
retried with exponential backoff (gRPC retry policy, up to `max_attempts` attempts in all; 1 turns
retries off), so losing one server mid-run loses no work. Requests of any size are retried: the
per-call retry buffer is raised from gRPC's 256 KiB to `_RETRY_BUFFER_BYTES`.

Deadlines and waiting: every call has a deadline, `timeout` seconds (default 300). With
`wait_for_ready=True` (the default) a call made while no server is reachable waits for one to come
up (a sidecar still starting, a pod being replaced) until that deadline, then fails with
DEADLINE_EXCEEDED; with `wait_for_ready=False` it fails at once with UNAVAILABLE. `timeout=None`
means no deadline: a call with no server then waits forever.
"""
import json
from typing import AsyncIterator, Iterable, Iterator, List, Optional, Sequence, Union

import grpc

from verdict.types import GroupResult, from_proto
from verdict.v1 import verdict_pb2, verdict_pb2_grpc

GroupLike = Union[dict, "verdict_pb2.Group"]

_SERVICE = "verdict.v1.RewardService"
DEFAULT_TIMEOUT_S = 300.0
# gRPC keeps a call's request to resend it, but only up to this many bytes per call (default
# 256 KiB: a batch of a few dozen long completions is over it, and such a call then fails on the
# first UNAVAILABLE instead of being retried). 1 GiB covers the server's 256 MiB message limit.
_RETRY_BUFFER_BYTES = 1 << 30


def _service_config(max_attempts: int) -> str:
    method = {"name": [{"service": _SERVICE}]}
    # gRPC rejects a retry policy with maxAttempts < 2 (and then fails every call): 1 = no policy.
    if max_attempts >= 2:
        method["retryPolicy"] = {
            "maxAttempts": max_attempts,
            "initialBackoff": "0.05s",
            "maxBackoff": "2s",
            "backoffMultiplier": 2,
            "retryableStatusCodes": ["UNAVAILABLE"],
        }
    return json.dumps({"loadBalancingConfig": [{"round_robin": {}}], "methodConfig": [method]})


def _channel_options(max_attempts: int):
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
    return [
        ("grpc.max_receive_message_length", -1),
        ("grpc.max_send_message_length", -1),
        ("grpc.enable_retries", 1 if max_attempts >= 2 else 0),
        ("grpc.per_rpc_retry_buffer_size", _RETRY_BUFFER_BYTES),
        ("grpc.service_config", _service_config(max_attempts)),
    ]


def gold_answers(gold) -> List[str]:
    """A gold answer as the list of acceptable answers: a string, a number (its text), or a
    list, tuple or numpy array of those (what a parquet list column gives). Raises ValueError
    for None inside a list: a missing gold is not an answer."""
    if hasattr(gold, "tolist") and not isinstance(gold, (str, bytes)):  # numpy array or scalar
        gold = gold.tolist()
    items = list(gold) if isinstance(gold, (list, tuple)) else [gold]
    out = []
    for x in items:
        if x is None:
            raise ValueError(f"gold answer list {gold!r} holds None")
        if hasattr(x, "tolist") and not isinstance(x, (str, bytes)):
            x = x.tolist()
        out.append(x.decode() if isinstance(x, bytes) else str(x))
    return out


def instruction_constraints(instructions=None, instruction_id_list=None, kwargs=None):
    """Instruction constraints as verdict.v1.Constraint messages, from either a list of
    {"id": ..., **params} dicts or IFEval's dataset columns (instruction_id_list, kwargs).
    None or NaN parameters (IFEval rows carry every key) are dropped; an unknown parameter name
    is a ValueError here, an unknown id or a bad value an error for the group from the server."""
    if instructions is None:
        if instruction_id_list is None:
            raise ValueError("no instructions: give a list of constraints or instruction_id_list")
        kwargs = list(kwargs) if kwargs is not None else [{}] * len(instruction_id_list)
        if len(kwargs) != len(instruction_id_list):
            raise ValueError("instruction_id_list and kwargs differ in length")
        instructions = [dict(k or {}, id=i) for i, k in zip(instruction_id_list, kwargs)]
    def value(v):  # parquet/pandas rows: NaN for missing, 5.0 for 5, numpy arrays for lists
        if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
            v = v.tolist()
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    out = []
    for item in instructions:
        params = {k: value(v) for k, v in dict(item).items()
                  if v is not None and not (isinstance(v, float) and v != v)}
        try:
            out.append(verdict_pb2.Constraint(**params))
        except (ValueError, TypeError) as e:
            raise ValueError(f"instruction constraint {item!r}: {e}") from None
    return out


# open-instruct's first IFEval verifier (IFEvalVerifierOld, open_instruct/ground_truth_utils.py,
# the "ifeval_old" rows of allenai/RLVR-IFeval) names a function of open_instruct/if_functions.py
# and its arguments: {"func_name": "validate_word_constraint", "N": 300, "quantifier": "at least",
# <every other argument name>: null}. Those that IFEval's registry checks by the same rule map to
# its ids ("at most N" is "less than N+1"), the exact counts and "* * *" dividers to the
# registry's if_functions: ids. validate_choice (free answer options) and the "around"
# quantifier have no counterpart and are a ValueError: scoring them by another rule would reward
# what the dataset does not ask for.
_LEGACY_IFEVAL = {
    "verify_keywords": ("keywords:existence", {"keyword_list": "keywords"}),
    "validate_forbidden_words": ("keywords:forbidden_words",
                                 {"forbidden_words": "forbidden_words"}),
    "validate_response_language": ("language:response_language", {"language": "language"}),
    "validate_word_constraint": ("length_constraints:number_words",
                                 {"N": "num_words", "quantifier": "relation"}),
    "verify_sentence_constraint": ("length_constraints:number_sentences",
                                   {"N": "num_sentences", "quantifier": "relation"}),
    "validate_paragraphs": ("length_constraints:nth_paragraph_first_word",
                            {"N": "num_paragraphs", "i": "nth_paragraph",
                             "first_word": "first_word"}),
    "verify_postscript": ("detectable_content:postscript",
                          {"postscript_marker": "postscript_marker"}),
    "validate_placeholders": ("detectable_content:number_placeholders", {"N": "num_placeholders"}),
    "verify_bullet_points": ("detectable_format:number_bullet_lists", {"N": "num_bullets"}),
    "validate_title": ("detectable_format:title", {}),
    "validate_highlighted_sections": ("detectable_format:number_highlighted_sections",
                                      {"N": "num_highlights"}),
    "validate_sections": ("detectable_format:multiple_sections",
                          {"N": "num_sections", "section_splitter": "section_spliter"}),
    "validate_json_format": ("detectable_format:json_format", {}),
    "validate_repeat_prompt": ("combination:repeat_prompt",
                               {"original_prompt": "prompt_to_repeat"}),
    "validate_two_responses": ("combination:two_responses", {}),
    "validate_uppercase": ("change_case:english_capital", {}),
    "validate_lowercase": ("change_case:english_lowercase", {}),
    "validate_frequency_capital_words": ("change_case:capital_word_frequency",
                                         {"N": "capital_frequency",
                                          "quantifier": "capital_relation"}),
    "validate_end": ("startend:end_checker", {"end_phrase": "end_phrase"}),
    "validate_quotation": ("startend:quotation", {}),
    "validate_no_commas": ("punctuation:no_comma", {}),
    "verify_keyword_frequency": ("if_functions:verify_keyword_frequency",
                                 {"word": "keyword", "N": "frequency"}),
    "verify_letter_frequency": ("if_functions:verify_letter_frequency",
                                {"letter": "letter", "N": "let_frequency"}),
    "verify_paragraph_count": ("if_functions:verify_paragraph_count", {"N": "num_paragraphs"}),
}
_LEGACY_UNMAPPED = {"validate_choice"}


def _legacy_constraint(d: dict) -> dict:
    args = {k: v for k, v in d.items() if k != "func_name" and v is not None}
    name = d["func_name"]
    if name in _LEGACY_UNMAPPED:
        raise ValueError(f"open-instruct constraint {name!r} has no counterpart with the same "
                         "rule in verdict's registry (see the README's instruction table)")
    if name not in _LEGACY_IFEVAL:
        raise ValueError(f"unknown open-instruct constraint function {name!r}")
    cid, names = _LEGACY_IFEVAL[name]
    unknown = sorted(set(args) - set(names))
    if unknown:
        raise ValueError(f"open-instruct constraint {name!r}: unexpected arguments {unknown}")
    out = {"id": cid}
    for theirs, ours in names.items():
        if theirs in args:
            out[ours] = args[theirs]
    if "quantifier" in args:
        count = names["N"]
        if args["quantifier"] == "at most" and isinstance(out.get(count), int):
            out[names["quantifier"]], out[count] = "less than", out[count] + 1
        elif args["quantifier"] != "at least":
            raise ValueError(f"open-instruct constraint {name!r}: quantifier "
                             f"{args['quantifier']!r} has no counterpart (at least / at most)")
    return out


def _parse_literal(text: str):
    try:
        return json.loads(text)
    except ValueError:
        import ast
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None


def ifeval_ground_truth(ground_truth) -> Optional[List[dict]]:
    """The instruction constraints in an open-instruct IFEval ground truth, as {"id", **params}
    dicts, or None when `ground_truth` is not one (a math answer, say). Two shapes, both read as
    open_instruct/ground_truth_utils.py reads them:
    - IFEvalVerifier ("ifeval" rows, the IFEvalG datasets): the text of a list whose first item
      is {"instruction_id": [ids], "kwargs": [params or None, ...]} or that object's JSON;
    - IFEvalVerifierOld ("ifeval_old", allenai/RLVR-IFeval): a JSON object with "func_name" and
      that function's arguments (see _LEGACY_IFEVAL).
    A ground truth of either shape that cannot be mapped is a ValueError, never a pass."""
    value = ground_truth
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # parquet: numpy arrays
        value = value.tolist()
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        if not value.lstrip().startswith(("[", "{")):
            return None
        value = _parse_literal(value)
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], str):
        head = value[0].lstrip()
        value = [_parse_literal(value[0])] if head.startswith("{") else value
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], dict):
        value = value[0]
    if not isinstance(value, dict):
        return None
    if "func_name" in value:
        return [_legacy_constraint(value)]
    if "instruction_id" not in value:
        return None
    ids, params = value["instruction_id"], value.get("kwargs")
    ids = [ids] if isinstance(ids, str) else list(ids)
    params = list(params) if params is not None else [None] * len(ids)
    if len(params) != len(ids):
        raise ValueError(f"IFEval ground truth: {len(ids)} instruction ids, {len(params)} kwargs")
    return [dict(p or {}, id=i) for i, p in zip(ids, params)]


def group_from_dict(d: dict) -> "verdict_pb2.Group":
    """{"id", "prompt", "gold" (str or list), "completions": [str | {"text", ...}]} -> Group.
    Instead of "gold": "instructions" (a list of {"id", **params}) or IFEval's
    "instruction_id_list" and "kwargs". With none of them, the group is rules-only."""
    g = verdict_pb2.Group(id=str(d.get("id", "")), prompt=d.get("prompt") or "")
    gold = d.get("gold")
    if gold is None and (d.get("instructions") is not None or
                         d.get("instruction_id_list") is not None):
        g.instructions.constraints.extend(instruction_constraints(
            d.get("instructions"), d.get("instruction_id_list"), d.get("kwargs")))
    elif gold is None:
        g.rules_only.SetInParent()
    else:
        g.math.gold_answers.extend(gold_answers(gold))
    for c in d.get("completions", []):
        if isinstance(c, str):
            g.completions.add(text=c)
        else:
            g.completions.add(text=c["text"], num_tokens=c.get("num_tokens", 0),
                              finish_reason=c.get("finish_reason", ""))
    return g


def _as_group(g: GroupLike) -> "verdict_pb2.Group":
    return g if isinstance(g, verdict_pb2.Group) else group_from_dict(g)


def _as_spec(spec) -> Optional["verdict_pb2.RewardSpec"]:
    if spec is None or isinstance(spec, verdict_pb2.RewardSpec):
        return spec
    from google.protobuf import json_format
    return json_format.ParseDict(spec, verdict_pb2.RewardSpec())


def _stream_requests(groups: Iterable[GroupLike], spec) -> Iterator["verdict_pb2.ScoreStreamRequest"]:
    """The stream's messages; the spec rides on the first and holds for the rest of the stream."""
    first = True
    for g in groups:
        r = verdict_pb2.ScoreStreamRequest(group=_as_group(g))
        if first and spec is not None:
            r.spec.CopyFrom(spec)
        first = False
        yield r


class Client:
    """A Verdict server (or several). `timeout` is each call's deadline in seconds (None: none);
    `wait_for_ready` and `max_attempts` as the module docstring says."""

    def __init__(self, address: str, timeout: Optional[float] = DEFAULT_TIMEOUT_S,
                 max_attempts: int = 5, wait_for_ready: bool = True):
        self._channel = grpc.insecure_channel(address, options=_channel_options(max_attempts))
        self._stub = verdict_pb2_grpc.RewardServiceStub(self._channel)
        self._timeout = timeout
        self._wait = wait_for_ready

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._channel.close()

    def score_raw(self, groups: Sequence[GroupLike], spec=None) -> "verdict_pb2.ScoreResponse":
        request = verdict_pb2.ScoreRequest(groups=[_as_group(g) for g in groups])
        if spec is not None:
            request.spec.CopyFrom(_as_spec(spec))
        return self._stub.Score(request, timeout=self._timeout, wait_for_ready=self._wait)

    def score(self, groups: Sequence[GroupLike], spec=None) -> List[GroupResult]:
        """Scores a batch; one GroupResult per group, in order. `spec` is a RewardSpec or its
        JSON form as a dict, e.g. {"weights": {"format": 0.5}}."""
        return [from_proto(g) for g in self.score_raw(groups, spec).groups]

    def score_stream(self, groups: Iterable[GroupLike], spec=None) -> Iterator[GroupResult]:
        """Streams groups in; yields each group's result as soon as it is scored (any order)."""
        call = self._stub.ScoreStream(_stream_requests(groups, _as_spec(spec)),
                                      timeout=self._timeout, wait_for_ready=self._wait)
        for g in call:
            yield from_proto(g)

    def info(self) -> "verdict_pb2.ServerInfo":
        return self._stub.GetInfo(verdict_pb2.GetInfoRequest(), timeout=self._timeout,
                                  wait_for_ready=self._wait)


class AsyncClient:
    """asyncio version of Client (grpc.aio)."""

    def __init__(self, address: str, timeout: Optional[float] = DEFAULT_TIMEOUT_S,
                 max_attempts: int = 5, wait_for_ready: bool = True):
        self._channel = grpc.aio.insecure_channel(address, options=_channel_options(max_attempts))
        self._stub = verdict_pb2_grpc.RewardServiceStub(self._channel)
        self._timeout = timeout
        self._wait = wait_for_ready

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def score(self, groups: Sequence[GroupLike], spec=None) -> List[GroupResult]:
        request = verdict_pb2.ScoreRequest(groups=[_as_group(g) for g in groups])
        if spec is not None:
            request.spec.CopyFrom(_as_spec(spec))
        response = await self._stub.Score(request, timeout=self._timeout,
                                          wait_for_ready=self._wait)
        return [from_proto(g) for g in response.groups]

    async def score_stream(self, groups: Iterable[GroupLike], spec=None) -> AsyncIterator[GroupResult]:
        """As Client.score_stream: `spec` applies to every group of the stream."""
        call = self._stub.ScoreStream(_stream_requests(groups, _as_spec(spec)),
                                      timeout=self._timeout, wait_for_ready=self._wait)
        async for g in call:
            yield from_proto(g)

    async def info(self) -> "verdict_pb2.ServerInfo":
        return await self._stub.GetInfo(verdict_pb2.GetInfoRequest(), timeout=self._timeout,
                                        wait_for_ready=self._wait)
