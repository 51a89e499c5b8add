"""A synchronous client over the generated verdict.v1 stubs."""
from typing import Iterable, Iterator, Optional, Sequence, Union

import grpc

from verdict.v1 import verdict_pb2, verdict_pb2_grpc

GroupLike = Union[dict, "verdict_pb2.Group"]


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


class Client:
    """Talks to one Verdict server at `address` ("host:port" or "unix:/path")."""

    def __init__(self, address: str, timeout: Optional[float] = None):
        options = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]
        self._channel = grpc.insecure_channel(address, options=options)
        self._stub = verdict_pb2_grpc.RewardServiceStub(self._channel)
        self._timeout = timeout

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._channel.close()

    def score(self, groups: Sequence[GroupLike],
              spec: Optional["verdict_pb2.RewardSpec"] = None) -> "verdict_pb2.ScoreResponse":
        request = verdict_pb2.ScoreRequest(
            groups=[g if isinstance(g, verdict_pb2.Group) else group_from_dict(g) for g in groups])
        if spec is not None:
            request.spec.CopyFrom(spec)
        return self._stub.Score(request, timeout=self._timeout)

    def score_stream(self, groups: Iterable[GroupLike]) -> Iterator["verdict_pb2.GroupResult"]:
        """Streams groups in; yields each group's result as soon as it is scored (any order)."""
        def requests():
            for g in groups:
                yield verdict_pb2.ScoreStreamRequest(
                    group=g if isinstance(g, verdict_pb2.Group) else group_from_dict(g))
        return self._stub.ScoreStream(requests(), timeout=self._timeout)

    def info(self) -> "verdict_pb2.ServerInfo":
        return self._stub.GetInfo(verdict_pb2.GetInfoRequest(), timeout=self._timeout)
