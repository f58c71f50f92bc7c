"""The project's URLs and two baselines for ``bench/screening_http.py``:

- ``/bench/constant``: the smallest view Django can answer with (no database);
- ``/bench/floor``: the least a logged check can do — one indexed read of a restriction row
  and one INSERT of a narrow log row (``bench_floor_log``: subject, verdict, reference, time),
  each in autocommit, behind the same middleware and server as the check.
"""

import itertools
import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from educredit.accounts.permissions import access_public
from educredit.urls import urlpatterns as project_urls

FLOOR_LOG = "bench_floor_log"
_people: list[int] = []
_turn = itertools.count()


@access_public
def constant(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"verdict": "clear", "measures": []})


@csrf_exempt
@access_public
def floor(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body)
    with connection.cursor() as cursor:
        if not _people:
            cursor.execute("SELECT DISTINCT person_id FROM sanctions_restriction LIMIT 1000")
            _people.extend(row[0] for row in cursor.fetchall() if row[0] is not None)
        person = _people[next(_turn) % len(_people)]
        cursor.execute(
            "SELECT verdict FROM sanctions_restriction "
            "WHERE person_id = %s AND scenario = %s AND starts_on <= CURRENT_DATE LIMIT 1",
            [person, body["scenario"]],
        )
        row = cursor.fetchone()
        verdict = row[0] if row else "clear"
        cursor.execute(
            f"INSERT INTO {FLOOR_LOG} (person_id, verdict, reference) VALUES (%s, %s, %s)",
            [person, verdict, body["reference"]],
        )
    return JsonResponse({"verdict": verdict, "measures": []})


urlpatterns = [path("bench/constant", constant), path("bench/floor", floor), *project_urls]
