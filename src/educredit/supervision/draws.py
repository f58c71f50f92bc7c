"""The 双随机一公开 draw: committed before it is made, seeded by public values, redone by anyone.

Method ``sha256-ticket-strata-v1`` (domain-rules §12; engineering anchors §3, after RFC 3797 and
ICANN OCTO-41):

1. **Commit first.** Before the seed can be known, the plan fixes the digests of the target and
   inspector pools (``core.draws.pool_digest``), each stratum's pool digest and sample size, the
   inspectors per target, the named future public value, the fallback fixed in advance if it is
   not published, and the SHA-256 of a second body's secret (``PlanCommitment.digest``).
2. **Seed.** SHA-256 of the public values as ``name=value`` lines in the announced order, then
   ``secret=…`` once the second body reveals it (its digest must match the commitment).
3. **Targets per stratum.** Each target's ticket is ``core.draws.ticket(seed, id)``; the lowest
   ``size`` tickets of the stratum win. The stratum's cut-off is the highest winning ticket, so
   every target can see in one line why it was or was not drawn.
4. **Inspectors per target.** Each inspector's ticket for a target is
   ``ticket(seed, target + ":" + inspector)``; in ticket order, an inspector is passed over (回避)
   if he works at the target, declared a relation to it, or inspected it last time; the first
   ``per_target`` others are drawn. Fewer than that eligible: refused, never fewer inspectors.

``REPRODUCE_SCRIPT`` is the standard-library program the plan publishes: given the published
inputs as JSON it prints the same draw.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from educredit.core import draws

METHOD = "sha256-ticket-strata-v1"
MIN_INSPECTORS = 2  # at least two inspectors per target (domain-rules §12)


def secret_commitment(secret: str) -> str:
    """What the second body publishes before the draw: the SHA-256 of its secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def seed_of(public_values: Sequence[tuple[str, str]], *, secret: str = "") -> str:
    """The draw's seed from the public values in their announced order and the revealed secret."""
    if not public_values or any(not value.strip() for _name, value in public_values):
        raise ValidationError(_("公开随机值尚未公布，不能抽取"), code="no_public_value")
    lines = [f"{name}={value.strip()}" for name, value in public_values]
    if secret:
        lines.append(f"secret={secret}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@dataclass(frozen=True)
class Stratum:
    """One stratum of the target directory (a grade, a class) and its sample size."""

    code: str
    targets: tuple[str, ...]
    size: int

    def checked(self) -> Stratum:
        if not self.targets:
            raise ValidationError(
                _("抽查层“%(code)s”没有检查对象") % {"code": self.code}, code="empty_stratum"
            )
        if not 0 < self.size <= len(set(self.targets)):
            raise ValidationError(
                _("抽查层“%(code)s”的抽取数量应在1至%(count)s之间")
                % {"code": self.code, "count": len(set(self.targets))},
                code="stratum_size",
            )
        return self


@dataclass(frozen=True)
class Inspector:
    """An inspector of the directory: where he works and whom he must not inspect."""

    id: str
    institution: str = ""
    relations: frozenset[str] = field(default_factory=frozenset)
    last_inspected: frozenset[str] = field(default_factory=frozenset)

    def recuses(self, target: str, target_institution: str) -> str:
        """Why he may not inspect the target (回避), or "" when he may."""
        if self.institution and self.institution == target_institution:
            return "same_institution"
        if target in self.relations:
            return "declared_relation"
        if target in self.last_inspected:
            return "inspected_last_time"
        return ""


@dataclass(frozen=True)
class PlanCommitment:
    """What a plan commits to before its seed can be known."""

    target_pool: str
    inspector_pool: str
    strata: tuple[tuple[str, str, int], ...]  # (code, pool digest, size)
    per_target: int
    public_value: str
    fallback: str
    secret_commitment: str = ""

    def canonical(self) -> str:
        return json.dumps(
            {
                "method": METHOD,
                "target_pool": self.target_pool,
                "inspector_pool": self.inspector_pool,
                "strata": [list(row) for row in self.strata],
                "per_target": self.per_target,
                "public_value": self.public_value,
                "fallback": self.fallback,
                "secret_commitment": self.secret_commitment,
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )

    def digest(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()


def plan_commitment(
    *,
    strata: Sequence[Stratum],
    inspectors: Iterable[Inspector],
    per_target: int,
    public_value: str,
    fallback: str,
    secret_commitment: str = "",
) -> PlanCommitment:
    """The commitment of a plan, refusing an empty stratum or a size it cannot draw."""
    checked = [stratum.checked() for stratum in strata]
    if per_target < MIN_INSPECTORS:
        raise ValidationError(
            _("每个检查对象至少抽取%(count)s名执法检查人员") % {"count": MIN_INSPECTORS},
            code="per_target",
        )
    if not public_value.strip() or not fallback.strip():
        raise ValidationError(_("请事先指定公开随机值及其未公布时的替代来源"), code="public_value")
    targets = [target for stratum in checked for target in stratum.targets]
    return PlanCommitment(
        target_pool=draws.pool_digest(targets),
        inspector_pool=draws.pool_digest(inspector.id for inspector in inspectors),
        strata=tuple(
            (stratum.code, draws.pool_digest(stratum.targets), stratum.size) for stratum in checked
        ),
        per_target=per_target,
        public_value=public_value.strip(),
        fallback=fallback.strip(),
        secret_commitment=secret_commitment,
    )


@dataclass(frozen=True)
class StratumDraw:
    """The targets a stratum drew, in draw order, and its cut-off ticket."""

    code: str
    drawn: tuple[str, ...]
    cutoff: str


def draw_targets(seed: str, strata: Sequence[Stratum]) -> list[StratumDraw]:
    """Each stratum's lowest tickets."""
    result = []
    for stratum in strata:
        chosen = draws.drawn(seed, stratum.checked().targets, stratum.size)
        result.append(StratumDraw(stratum.code, tuple(chosen), draws.ticket(seed, chosen[-1])))
    return result


def why(seed: str, drawn: StratumDraw, target: str) -> str:
    """One line for a target: its ticket against its stratum's cut-off."""
    mine = draws.ticket(seed, target)
    if mine <= drawn.cutoff:
        return _(
            "你的号签 %(ticket)s 不大于本层截止号签 %(cutoff)s："
            "已被抽中（号签最小的 %(size)s 个被抽中）"
        ) % {"ticket": mine[:16], "cutoff": drawn.cutoff[:16], "size": len(drawn.drawn)}
    return _(
        "你的号签 %(ticket)s 大于本层截止号签 %(cutoff)s：未被抽中（号签最小的 %(size)s 个被抽中）"
    ) % {"ticket": mine[:16], "cutoff": drawn.cutoff[:16], "size": len(drawn.drawn)}


@dataclass(frozen=True)
class Assignment:
    """The inspectors drawn for one target, and those passed over with why."""

    target: str
    inspectors: tuple[str, ...]
    passed_over: tuple[tuple[str, str], ...]


def draw_inspectors(
    seed: str,
    *,
    target: str,
    target_institution: str,
    inspectors: Sequence[Inspector],
    per_target: int,
) -> Assignment:
    """The first ``per_target`` inspectors by ticket for the target, passing over conflicts."""
    by_id = {inspector.id: inspector for inspector in inspectors}
    order = sorted(by_id, key=lambda inspector: draws.ticket(seed, f"{target}:{inspector}"))
    chosen: list[str] = []
    passed: list[tuple[str, str]] = []
    for inspector_id in order:
        if len(chosen) == per_target:
            break
        reason = by_id[inspector_id].recuses(target, target_institution)
        if reason:
            passed.append((inspector_id, reason))
        else:
            chosen.append(inspector_id)
    if len(chosen) < per_target:
        raise ValidationError(
            _("检查对象 %(target)s 回避后可抽取的执法检查人员不足%(count)s名")
            % {"target": target, "count": per_target},
            code="inspectors",
        )
    return Assignment(target, tuple(chosen), tuple(passed))


def draw_plan(
    seed: str,
    *,
    strata: Sequence[Stratum],
    inspectors: Sequence[Inspector],
    institutions: Mapping[str, str],
    per_target: int,
) -> dict[str, Any]:
    """The whole draw as the plan's page publishes it (and the script prints it)."""
    result: dict[str, Any] = {"method": METHOD, "seed": seed, "strata": []}
    for stratum in draw_targets(seed, strata):
        result["strata"].append(
            {
                "code": stratum.code,
                "cutoff": stratum.cutoff,
                "targets": [
                    {
                        "id": target,
                        "inspectors": list(
                            draw_inspectors(
                                seed,
                                target=target,
                                target_institution=institutions.get(target, target),
                                inspectors=inspectors,
                                per_target=per_target,
                            ).inspectors
                        ),
                    }
                    for target in stratum.drawn
                ],
            }
        )
    return result


# The program the plan publishes: standard library only, the same rules in a few lines. Input:
# {"public_values": [[name, value], …], "secret": "…", "per_target": 2,
#  "strata": [{"code": …, "targets": […], "size": n}, …],
#  "inspectors": [{"id": …, "institution": …, "relations": […], "last_inspected": […]}, …],
#  "institutions": {target: its institution id, …}}
REPRODUCE_SCRIPT = '''\
"""Redo a 双随机一公开 draw (sha256-ticket-strata-v1) from its published inputs.

Usage: python3 redo.py in.json
"""
import hashlib, json, sys

def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()

def ticket(seed, candidate):
    return sha(seed + ":" + candidate)

inputs = json.load(open(sys.argv[1], encoding="utf-8"))
lines = [name + "=" + value.strip() for name, value in inputs["public_values"]]
if inputs.get("secret"):
    lines.append("secret=" + inputs["secret"])
seed = sha("\\n".join(lines))
out = {"method": "sha256-ticket-strata-v1", "seed": seed, "strata": []}
for stratum in inputs["strata"]:
    pool = sorted(set(stratum["targets"]))
    drawn = sorted(pool, key=lambda t: ticket(seed, t))[: stratum["size"]]
    targets = []
    for target in drawn:
        home = inputs["institutions"].get(target, target)
        order = sorted(inputs["inspectors"], key=lambda i: ticket(seed, target + ":" + i["id"]))
        chosen = []
        for inspector in order:
            if len(chosen) == inputs["per_target"]:
                break
            if inspector.get("institution") and inspector["institution"] == home:
                continue
            if target in inspector.get("relations", []):
                continue
            if target in inspector.get("last_inspected", []):
                continue
            chosen.append(inspector["id"])
        targets.append({"id": target, "inspectors": chosen})
    cutoff = ticket(seed, drawn[-1])
    out["strata"].append({"code": stratum["code"], "cutoff": cutoff, "targets": targets})
print(json.dumps(out, ensure_ascii=False, sort_keys=True))
'''
