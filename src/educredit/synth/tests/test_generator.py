"""The synthetic province generator: valid, unique, deterministic, realistically proportioned."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from educredit.core.identifiers import validate_resident_id, validate_uscc
from educredit.synth.generator import (
    AS_OF,
    KIND_PROFILES,
    PERSON_CLASSES,
    _IdentityAllocator,
    _ProvinceWriter,
    chinese_number,
    province_generate,
    read_manifest,
)
from educredit.synth.regions import henan_counties


def rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("province")
    province_generate(directory=directory, scale=0.002, seed=11, people_factor=0.05)
    return directory


def test_every_identifier_is_valid_and_unique(province: Path) -> None:
    people = rows(province, "people.csv")
    numbers = [row["id_number"] for row in people]
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        validate_resident_id(number, today=AS_OF)  # raises on any invalid number
    codes = [row["uscc"] for row in rows(province, "institutions.csv")]
    codes += [row["uscc"] for row in rows(province, "organisations.csv")]
    assert len(codes) == len(set(codes))
    for code in codes:
        validate_uscc(code)


def test_uscc_says_who_runs_the_institution(province: Path) -> None:
    for row in rows(province, "institutions.csv"):
        if row["kind"] == "training":
            assert row["uscc"].startswith("91")
        elif row["ownership"] == "private":
            assert row["uscc"].startswith("52") and row["licence_number"].startswith("教民")
        else:
            assert row["uscc"].startswith("12")


def test_birth_dates_fit_the_role(province: Path) -> None:
    kinds = {row["key"]: row["kind"] for row in rows(province, "institutions.csv")}
    roles = {
        row["person_key"]: (row["role"], kinds[row["institution_key"]])
        for row in rows(province, "affiliations.csv")
    }
    for person in rows(province, "people.csv"):
        born = validate_resident_id(person["id_number"], today=AS_OF).birth_date
        age = age_on(born, AS_OF)
        role, kind = roles[person["key"]]
        if role == "teacher":
            assert 22 <= age <= 65
        else:
            person_class = PERSON_CLASSES[kind]
            assert person_class.min_age <= age <= person_class.max_age
            assert 3 <= age <= 24


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    first = province_generate(directory=tmp_path / "a", scale=0.001, seed=5, people_factor=0.02)
    second = province_generate(directory=tmp_path / "b", scale=0.001, seed=5, people_factor=0.02)
    third = province_generate(directory=tmp_path / "c", scale=0.001, seed=6, people_factor=0.02)
    assert first.dataset_id == second.dataset_id != third.dataset_id
    for name in ("organisations.csv", "institutions.csv", "people.csv", "affiliations.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "people.csv").read_bytes() != (
        tmp_path / "c" / "people.csv"
    ).read_bytes()


def test_organisation_tree_covers_every_county(province: Path) -> None:
    organisations = rows(province, "organisations.csv")
    kinds = Counter(row["kind"] for row in organisations)
    counties = henan_counties()
    # 济源 (419001) is a county-level city with a city-level bureau and nothing below it.
    assert kinds == {"province": 1, "city": 18, "county": len(counties) - 1}
    county_bureaus = {row["region_code"] for row in organisations if row["kind"] == "county"}
    assert county_bureaus == {c.code for c in counties} - {"419001"}
    keys = {row["key"] for row in organisations}
    for row in organisations:
        assert row["parent_key"] in keys or row["kind"] == "province"
    for row in rows(province, "institutions.csv"):
        assert row["supervisor_key"] in keys


def test_proportions_at_full_scale() -> None:
    writer = _ProvinceWriter(
        directory=Path("/nonexistent"),
        seed=1,
        scale=1.0,
        ensure_counties=(),
        people_factor=1.0,
        progress=None,
    )
    plan = writer.institution_plan()
    totals: Counter[str] = Counter()
    by_city: Counter[str] = Counter()
    zhengzhou_universities = 0
    for county, kinds in zip(writer.counties, plan, strict=True):
        totals.update(kinds)
        by_city[county.city.name] += sum(kinds.values())
        if county.city.code == "410100":
            zhengzhou_universities += kinds["university"]
    everything = sum(totals.values())
    assert everything == 50_000
    assert totals["kindergarten"] / everything == pytest.approx(0.38, abs=0.02)
    assert totals["primary"] / everything == pytest.approx(0.33, abs=0.02)
    assert totals["university"] == 168 and totals["vocational"] == 400
    assert zhengzhou_universities / 168 == pytest.approx(0.6, abs=0.02)
    # Distributed by population: Zhengzhou first, Nanyang and Zhoukou next, Jiyuan last.
    ranking = [name for name, _ in by_city.most_common()]
    assert ranking[0] == "郑州市" and set(ranking[1:3]) == {"南阳市", "周口市"}
    assert ranking[-1] == "济源市"
    teachers = sum(p.count * p.teachers for p in KIND_PROFILES.values())
    students = sum(p.count * p.students for p in KIND_PROFILES.values())
    assert teachers == pytest.approx(1_400_000, rel=0.02)
    assert students == pytest.approx(26_000_000, rel=0.02)


def test_generated_people_follow_the_profiles(tmp_path: Path) -> None:
    result = province_generate(directory=tmp_path, scale=0.004, seed=3, people_factor=0.1)
    manifest = read_manifest(tmp_path)
    assert manifest["counts"] == result.counts
    by_kind = manifest["institutions_by_kind"]
    expected_teachers = sum(KIND_PROFILES[k].teachers * n * 0.1 for k, n in by_kind.items())
    expected_students = sum(KIND_PROFILES[k].students * n * 0.1 for k, n in by_kind.items())
    assert result.counts["teachers"] == pytest.approx(expected_teachers, rel=0.25)
    assert result.counts["students"] == pytest.approx(expected_students, rel=0.25)


def test_ensured_county_gets_its_schools(tmp_path: Path) -> None:
    province_generate(
        directory=tmp_path, scale=0.0002, seed=1, people_factor=0.01, ensure_counties=["410102"]
    )
    kinds = {r["kind"] for r in rows(tmp_path, "institutions.csv") if r["region_code"] == "410102"}
    assert {"kindergarten", "primary", "secondary"} <= kinds


def test_identity_space_overflows_into_the_next_region_without_repeats() -> None:
    allocator = _IdentityAllocator(seed=1, region_codes=["410102", "410103"])
    person_class = PERSON_CLASSES["vocational"]
    width = len(allocator.windows["vocational"][0])
    capacity = width * (person_class.seq_to - person_class.seq_from)
    numbers = [allocator.allocate("410102", "vocational") for _ in range(capacity + 50)]
    assert len(set(numbers)) == len(numbers)
    assert sum(number.startswith("410103") for number in numbers) == 50


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (101, "一百零一"), (110, "一百一十")],
)
def test_school_ordinals_in_chinese(n: int, text: str) -> None:
    assert chinese_number(n) == text


def test_incomplete_directory_has_no_manifest(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_manifest(tmp_path)
