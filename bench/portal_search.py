"""Benchmark: portal institution search p95 latency, next to the bare indexed SQL it runs.

    .venv/bin/python bench/portal_search.py [--institutions 5000] [--queries 400]

1. Creates a fresh PostgreSQL database ``educredit_bench_portal`` (dropped first if it
   exists), migrates it, bulk-inserts ``--institutions`` synthetic Henan institutions (the
   number scale 0.1 of the synthetic province holds) with a former name for one in five,
   and builds the portal's search index with ``search_index_rebuild`` (what
   ``educredit portal reindex`` does).
2. Measures ``--queries`` searches mixing Chinese prefixes, Chinese infixes, pinyin initials,
   full pinyin and USCC prefixes through the real view (``GET /query/?q=…`` with Django's
   test Client: URL routing, middleware, the rate-limit counter, the capped search, the
   page, the former names, the template).
3. Baseline, same run, same queries: the bare indexed SQL doing the same work as the view's
   search — the one statement it sends: the institutions among the first 201 (the cap of
   200, plus one to tell whether there are more) matching ``LIKE 'q%'`` in
   ``portal_institutionsearchterm`` (grouped by institution, ranked by the first matching
   term), listed by name with their former names (LEFT JOIN) — through one psycopg cursor,
   every row fetched. (Before the cap, the baseline was a full COUNT plus the first page
   sorted by name, without former names, which the view then fetched in a query of its own.)
Prints both p95s and their ratio (targets: the view under 50 ms, within 2× of the bare SQL).

It stops by itself and drops the database, whatever happens.
PostgreSQL: postgres@127.0.0.1:5432 with trust authentication (``BENCH_PG`` overrides).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BENCH_DB = "educredit_bench_portal"
PROJECT = Path(__file__).resolve().parent.parent

CITIES = [
    "郑州",
    "开封",
    "洛阳",
    "平顶山",
    "安阳",
    "鹤壁",
    "新乡",
    "焦作",
    "濮阳",
    "许昌",
    "漯河",
    "三门峡",
    "南阳",
    "商丘",
    "信阳",
    "周口",
    "驻马店",
    "济源",
]
PLACES = [
    "中原",
    "二七",
    "金水",
    "惠济",
    "龙亭",
    "西工",
    "涧西",
    "卫东",
    "文峰",
    "红旗",
    "解放",
    "华龙",
    "魏都",
    "源汇",
    "湖滨",
    "卧龙",
    "梁园",
    "浉河",
    "川汇",
    "驿城",
]
KINDS = [
    "第{n}中学",
    "第{n}小学",
    "实验小学",
    "实验中学",
    "外国语学校",
    "职业技术学院",
    "幼儿园",
    "第{n}幼儿园",
    "培训学校",
    "艺术培训中心",
    "高级中学",
    "师范学院",
]


def admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def drop_database() -> None:
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
    sys.path.insert(0, str(PROJECT / "src"))
    import django

    django.setup()
    from django.conf import settings

    settings.EDUCREDIT_PORTAL_RATE_LIMITS = {"search": 10**9, "person": 10**9}


def uscc(serial: int) -> str:
    from educredit.core.identifiers import uscc_check_character

    first17 = f"52410100{serial:09d}"
    return first17 + uscc_check_character(first17)


def populate(count: int, rng: random.Random) -> list[str]:
    """Bulk-insert ``count`` institutions and index them; returns their names."""
    from educredit.accounts.models import Organisation
    from educredit.portal.services import search_index_rebuild
    from educredit.subjects.models import FormerName, Institution

    supervisor = Organisation.objects.create(
        name="河南省教育厅", kind="province", path="/1/", region_code="410000"
    )
    names: set[str] = set()
    while len(names) < count:
        kind = rng.choice(KINDS).format(n=rng.randint(1, 120))
        names.add(f"{rng.choice(CITIES)}市{rng.choice(PLACES)}{kind}")
    ordered = sorted(names)
    Institution.objects.bulk_create(
        (
            Institution(
                name=name, kind="primary", region_code="410102", supervisor=supervisor, uscc=uscc(i)
            )
            for i, name in enumerate(ordered)
        ),
        batch_size=1000,
    )
    FormerName.objects.bulk_create(
        FormerName(institution=institution, name=f"{institution.name[:-2]}旧校")
        for institution in Institution.objects.all()[: count // 5]
    )
    search_index_rebuild()
    return ordered


def make_queries(names: list[str], total: int, rng: random.Random) -> list[str]:
    """A mix of Chinese prefixes, infixes, initials, full pinyin and USCC prefixes."""
    from educredit.portal.search import syllables

    queries = []
    for i in range(total):
        name = rng.choice(names)
        kind = i % 5
        if kind == 0:
            queries.append(name[: rng.randint(2, len(name))])
        elif kind == 1:
            start = rng.randint(1, len(name) - 2)
            queries.append(name[start : start + rng.randint(2, 4)])
        elif kind == 2:
            initials = (s[0] if s.isalpha() and s.isascii() else s for s in syllables(name))
            queries.append("".join(initials)[: rng.randint(3, 8)])
        elif kind == 3:
            queries.append("".join(syllables(name))[: rng.randint(6, 20)])
        else:
            queries.append(uscc(rng.randrange(len(names)))[: rng.choice([10, 14, 18])])
    return queries


CAP = 200
BARE_SEARCH = (
    "SELECT i.id, i.public_id, i.name, i.uscc, f.name FROM subjects_institution i "
    "LEFT JOIN subjects_formername f ON f.institution_id = i.id "
    "WHERE i.id IN (SELECT institution_id FROM portal_institutionsearchterm WHERE term LIKE %s "
    f"GROUP BY institution_id ORDER BY MIN(term), institution_id LIMIT {CAP + 1}) "
    "ORDER BY i.name, i.id, f.used_until DESC, f.id"
)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def run(institutions: int, total: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from educredit.portal.search import normalise
    from educredit.portal.selectors import SEARCH_CAP

    if SEARCH_CAP != CAP:
        raise SystemExit(f"the bare SQL caps at {CAP}, the view at {SEARCH_CAP}")

    rng = random.Random(20261127)
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    names = populate(institutions, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT COUNT(*) FROM portal_institutionsearchterm")
        terms = cursor.fetchone()[0]
    print(
        f"{institutions} institutions, {terms} search terms, set up in "
        f"{time.monotonic() - started:.1f} s"
    )
    queries = make_queries(names, total, rng)
    client = Client()
    # Warm up both paths (connections, template cache, plan cache).
    for q in queries[:20]:
        client.get("/query/", {"q": q})
    view_ms, bare_ms, hits, capped = [], [], 0, 0
    for q in queries:
        t0 = time.perf_counter()
        response = client.get("/query/", {"q": q})
        view_ms.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"search {q!r} answered {response.status_code}")
        pattern = normalise(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(BARE_SEARCH, [pattern])
            found = len({row[0] for row in cursor.fetchall()})
        bare_ms.append((time.perf_counter() - t0) * 1000)
        hits += found > 0
        capped += found > CAP
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + BARE_SEARCH, ["zzdx%"])
        plan = " / ".join(row[0].strip() for row in cursor.fetchall() if "Index" in row[0])
        cursor.execute("EXPLAIN " + BARE_SEARCH, ["52410100000004%"])
        broad = " / ".join(row[0].strip() for row in cursor.fetchall() if "->" in row[0])
    view, bare = p95(view_ms), p95(bare_ms)
    slowest = sorted(zip(bare_ms, view_ms, queries, strict=True), reverse=True)[:5]
    print("slowest (bare ms, view ms, query):", [(round(b), round(v), q) for b, v, q in slowest])
    print(f"{len(queries)} queries, {hits} with results, {capped} over the cap of {CAP}")
    print(f"plan (narrow): {plan}")
    print(f"plan (broad):  {broad}")
    print(f"portal search view p95: {view:.2f} ms (median {statistics.median(view_ms):.2f} ms)")
    print(f"bare indexed SQL p95:   {bare:.2f} ms (median {statistics.median(bare_ms):.2f} ms)")
    print(f"ratio view/bare p95: {view / bare:.2f}x (targets: view < 50 ms, ratio < 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    drop_database()
    with admin_connection() as conn:
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    try:
        setup_django()
        run(args.institutions, args.queries)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database()


if __name__ == "__main__":
    main()
