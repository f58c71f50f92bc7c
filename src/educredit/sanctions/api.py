"""JSON API of the sanctions app: the scenario codes and the measure list in force, for
business systems that screen subjects before granting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router

from educredit.accounts.api_auth import api_auth
from educredit.core.clock import today
from educredit.sanctions.schemas import MeasureOut, MeasuresOut, ScenariosOut
from educredit.sanctions.selectors import measure_list_in_force, measures, scenarios

router = Router(tags=["sanctions"])

READ = "sanctions:read"


@router.get(
    "/scenarios",
    response=ScenariosOut,
    auth=api_auth(READ),
    summary="业务场景代码 / Business scenario codes",
)
def scenario_list(request: HttpRequest) -> dict[str, Any]:
    """Every scenario code, retired ones included (the list is province-wide)."""
    return {"scenarios": list(scenarios())}


@router.get(
    "/measures",
    response=MeasuresOut,
    auth=api_auth(READ),
    summary="现行激励和惩戒措施清单 / The measure list in force",
)
def measure_list(request: HttpRequest, as_of: dt.date | None = None) -> dict[str, Any]:
    """The version in force on ``as_of`` (today by default) and all its measures."""
    day = as_of or today()
    version = measure_list_in_force(day)
    return {
        "version": version.number if version else None,
        "title": version.title if version else "",
        "effective_from": version.effective_from if version else None,
        "as_of": day,
        "measures": [
            {**_fields(measure), "duration_text": measure.duration_text()}
            for measure in measures(version)
        ],
    }


def _fields(measure: Any) -> dict[str, Any]:
    return {
        name: getattr(measure, name) for name in MeasureOut.model_fields if name != "duration_text"
    }
