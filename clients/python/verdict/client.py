"""Synchronous and asyncio clients over the generated verdict.v1 stubs.

Addresses: "host:port", "unix:/path/to.sock", "ipv4:10.0.0.1:50051,10.0.0.2:50051" (several
servers), or "dns:///verdict.ns.svc.cluster.local:50051" (a headless Kubernetes Service: every
pod). With several backends, calls are spread round-robin. Calls that fail with UNAVAILABLE are
retried with exponential backoff (gRPC retry policy), so losing one server mid-run loses no work.
"""
import json
from typing import AsyncIterator, Iterable, Iterator, List, Optional, Sequence, Union

import grpc

from verdict.types import GroupResult, from_proto
from verdict.v1 import verdict_pb2, verdict_pb2_grpc

GroupLike = Union[dict, "verdict_pb2.Group"]

_SERVICE = "verdict.v1.RewardService"


def _service_config(max_attempts: int) -> str:
    return json.dumps({
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [{
            "name": [{"service": _SERVICE}],
            "retryPolicy": {
                "maxAttempts": max_attempts,
                "initialBackoff": "0.05s",
                "maxBackoff": "2s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            },
        }],
    })


def _channel_options(max_attempts: int):
    return [
        ("grpc.max_receive_message_length", -1),
        ("grpc.max_send_message_length", -1),
        ("grpc.enable_retries", 1),
        ("grpc.service_config", _service_config(max_attempts)),
    ]


def group_from_dict(d: dict) -> "verdict_pb2.Group":
    """{"id", "prompt", "gold" (str or list), "completions": [str | {"text", ...}]} -> Group.
    Without "gold", the group is rules-only."""
    g = verdict_pb2.Group(id=str(d.get("id", "")), prompt=d.get("prompt", ""))
    gold = d.get("gold")
    if gold is None:
        g.rules_only.SetInParent()
    else:
        g.math.gold_answers.extend([str(x) for x in gold] if isinstance(gold, list) else [str(gold)])
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


class Client:
    """A Verdict server (or several). `timeout` is each call's deadline in seconds."""

    def __init__(self, address: str, timeout: Optional[float] = None, max_attempts: int = 5):
        self._channel = grpc.insecure_channel(address, options=_channel_options(max_attempts))
        self._stub = verdict_pb2_grpc.RewardServiceStub(self._channel)
        self._timeout = timeout

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
        return self._stub.Score(request, timeout=self._timeout, wait_for_ready=True)

    def score(self, groups: Sequence[GroupLike], spec=None) -> List[GroupResult]:
        """Scores a batch; one GroupResult per group, in order. `spec` is a RewardSpec or its
        JSON form as a dict, e.g. {"weights": {"format": 0.5}}."""
        return [from_proto(g) for g in self.score_raw(groups, spec).groups]

    def score_stream(self, groups: Iterable[GroupLike], spec=None) -> Iterator[GroupResult]:
        """Streams groups in; yields each group's result as soon as it is scored (any order)."""
        spec = _as_spec(spec)

        def requests():
            first = True
            for g in groups:
                r = verdict_pb2.ScoreStreamRequest(group=_as_group(g))
                if first and spec is not None:
                    r.spec.CopyFrom(spec)
                first = False
                yield r
        for g in self._stub.ScoreStream(requests(), timeout=self._timeout):
            yield from_proto(g)

    def info(self) -> "verdict_pb2.ServerInfo":
        return self._stub.GetInfo(verdict_pb2.GetInfoRequest(), timeout=self._timeout)


class AsyncClient:
    """asyncio version of Client (grpc.aio)."""

    def __init__(self, address: str, timeout: Optional[float] = None, max_attempts: int = 5):
        self._channel = grpc.aio.insecure_channel(address, options=_channel_options(max_attempts))
        self._stub = verdict_pb2_grpc.RewardServiceStub(self._channel)
        self._timeout = timeout

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
        response = await self._stub.Score(request, timeout=self._timeout, wait_for_ready=True)
        return [from_proto(g) for g in response.groups]

    async def score_stream(self, groups: Iterable[GroupLike]) -> AsyncIterator[GroupResult]:
        call = self._stub.ScoreStream(
            (verdict_pb2.ScoreStreamRequest(group=_as_group(g)) for g in groups),
            timeout=self._timeout)
        async for g in call:
            yield from_proto(g)

    async def info(self) -> "verdict_pb2.ServerInfo":
        return await self._stub.GetInfo(verdict_pb2.GetInfoRequest(), timeout=self._timeout)
