"""Typed results: plain dataclasses, so trainers need not touch protobuf messages."""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


@dataclass
class SampleResult:
    reward: float
    advantage: float
    verdict: str                      # "CORRECT", "WRONG_ANSWER", "NO_ANSWER", ..., "ERROR"
    reason: str
    components: Dict[str, float]
    error: Optional[str] = None       # set when the sample could not be checked
    extracted: str = ""               # the answer taken from the completion (math)
    format_ok: bool = False
    format_problem: str = ""
    length: int = 0
    truncated: bool = False
    # Instruction references: (constraint id, followed) in reference order.
    constraints: List[Tuple[str, bool]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class GroupResult:
    group_id: str
    samples: List[SampleResult] = field(default_factory=list)
    mean: float = 0.0
    std: float = 0.0
    zero_variance: bool = True
    pass_at_k: Dict[int, float] = field(default_factory=dict)
    error: Optional[str] = None       # set when the whole group could not be scored

    @property
    def rewards(self) -> List[float]:
        return [s.reward for s in self.samples]

    @property
    def advantages(self) -> List[float]:
        return [s.advantage for s in self.samples]


def from_proto(g) -> GroupResult:
    """verdict.v1.GroupResult -> GroupResult."""
    from verdict.v1 import verdict_pb2
    if g.HasField("error"):
        return GroupResult(group_id=g.group_id, error=f"{g.error.code}: {g.error.message}")
    samples = [
        SampleResult(
            reward=s.reward, advantage=s.advantage,
            verdict=verdict_pb2.Verdict.Name(s.verdict), reason=s.reason,
            components=dict(s.components),
            error=f"{s.error.code}: {s.error.message}" if s.HasField("error") else None,
            extracted=s.math.extracted, format_ok=s.format.ok, format_problem=s.format.problem,
            length=s.length, truncated=s.truncated,
            constraints=[(c.id, c.followed) for c in s.instructions.constraints])
        for s in g.samples
    ]
    return GroupResult(group_id=g.group_id, samples=samples, mean=g.stats.mean, std=g.stats.std,
                       zero_variance=g.stats.zero_variance, pass_at_k=dict(g.stats.pass_at_k))
