"""The synthetic province: a consistent, deterministic Henan written as CSV files.

``province_generate`` writes, into one directory:

- ``organisations.csv`` — the provincial department, the city bureaus (17 cities and 济源) and
  one bureau per county-level division;
- ``institutions.csv`` — schools, universities and training institutions, by kind and region
  in realistic proportions, each with a valid USCC (public 12…, private 52…, companies 91…);
- ``people.csv`` — teachers and students with valid, unique resident-ID numbers whose birth
  dates fit their role, and names from Faker's ``zh_CN`` data;
- ``affiliations.csv`` — who teaches or studies where;
- ``manifest.json`` — parameters, row counts and the dataset id, written last (a directory
  without it is incomplete).

Rows are generated institution by institution and written as they are made: memory stays
flat at any scale. ``key`` columns are 1-based row numbers in their file, and references
(``parent_key``, ``supervisor_key``, ``person_key``, ``institution_key``) point at them, so a
loader can turn a key into a database id by arithmetic instead of holding a map.

Resident-ID numbers are unique by construction, not by remembering them: the k-th person of a
role class born in a region gets the k-th cell of a (birth date × sequence number) grid that
is private to that region and class (see ``_IdentityAllocator``).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import hashlib
import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, TextIO

from faker.providers.company.zh_CN import Provider as CompanyNames
from faker.providers.person.zh_CN import Provider as PersonNames

from educredit.core.identifiers import RESIDENT_ID_CHECK, RESIDENT_ID_WEIGHTS, uscc_check_character
from educredit.synth.regions import (
    JIYUAN_CODE,
    PROVINCE_CODE,
    City,
    County,
    henan_cities,
    henan_counties,
)

FORMAT = "educredit-synth/1"
# Ages are computed against a fixed date so that a seed always gives the same files.
AS_OF = dt.date(2025, 9, 1)

ORGANISATION_COLUMNS = ("key", "name", "kind", "parent_key", "region_code", "uscc")
INSTITUTION_COLUMNS = (
    "key",
    "uscc",
    "name",
    "kind",
    "ownership",
    "level",
    "region_code",
    "supervisor_key",
    "licence_number",
    "legal_representative",
)
PERSON_COLUMNS = ("key", "document_type", "id_number", "name")
AFFILIATION_COLUMNS = ("person_key", "institution_key", "role", "started_on")


@dataclass(frozen=True)
class KindProfile:
    """How many institutions of a kind Henan has at scale 1.0, and how big they are."""

    count: int
    teachers: int  # mean teachers per institution
    students: int  # mean students per institution
    private_share: float  # share run privately (民办, USCC 52…); training: companies (91…)


# Henan 2023: about 47 100 schools (kindergartens ~40 %, primary ~35 %, the rest secondary,
# ~400 secondary vocational schools, 168 universities) plus ~2 900 off-campus training
# institutions: 50 000 at scale 1.0, with 1.41 million teachers and 26.0 million students.
KIND_PROFILES: dict[str, KindProfile] = {
    "kindergarten": KindProfile(count=18_840, teachers=12, students=230, private_share=0.55),
    "primary": KindProfile(count=16_485, teachers=28, students=615, private_share=0.05),
    "secondary": KindProfile(count=11_207, teachers=44, students=680, private_share=0.12),
    "vocational": KindProfile(count=400, teachers=120, students=3_000, private_share=0.30),
    "university": KindProfile(count=168, teachers=800, students=16_000, private_share=0.25),
    "training": KindProfile(count=2_900, teachers=15, students=0, private_share=1.0),
}
# About three in five of Henan's universities are in Zhengzhou.
UNIVERSITY_SHARE_ZHENGZHOU = 0.6
ZHENGZHOU_CODE = "410100"
# Kinds that every county named in ``ensure_counties`` gets at least one of.
ENSURED_KINDS = ("kindergarten", "primary", "secondary")


@dataclass(frozen=True)
class PersonClass:
    """Ages (at ``AS_OF``) and the slice of the 3-digit sequence space a role class uses.

    Disjoint sequence slices keep classes with overlapping birth years from ever colliding.
    """

    min_age: int
    max_age: int
    seq_from: int
    seq_to: int  # exclusive


PERSON_CLASSES: dict[str, PersonClass] = {
    "kindergarten": PersonClass(3, 6, 0, 150),
    "primary": PersonClass(6, 12, 150, 400),
    "secondary": PersonClass(12, 18, 400, 630),
    "vocational": PersonClass(15, 19, 630, 680),
    "university": PersonClass(18, 24, 680, 830),
    "teacher": PersonClass(22, 65, 830, 1000),
}

# --- identifier check characters ------------------------------------------------------------

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code_check_character(first8: str) -> str:
    """GB 11714 check character of the 9-character organisation code inside a USCC."""
    total = sum(int(c) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_uscc(*, registration: str, region_code: str, serial: int, seed: int) -> str:
    """A valid USCC whose organisation code is a seed-keyed bijection of ``serial``."""
    # Multiplying by a unit mod 10^8 and adding an offset is a bijection: distinct serials give
    # distinct organisation codes, hence distinct USCCs, without remembering any of them.
    body = f"{(serial * 7_654_321 + seed * 1_000_003) % 100_000_000:08d}"
    first17 = registration + region_code + body + organisation_code_check_character(body)
    return first17 + uscc_check_character(first17)


# --- names --------------------------------------------------------------------------------

_SURNAMES = list(PersonNames.last_names.keys())
_SURNAME_CUMULATIVE = list(accumulate(PersonNames.last_names.values()))
_GIVEN_MALE = list(PersonNames.first_names_male)
_GIVEN_FEMALE = list(PersonNames.first_names_female)
_BRANDS = (
    "阳光",
    "小太阳",
    "蓝天",
    "童心",
    "启明星",
    "七彩",
    "金色童年",
    "爱心",
    "博雅",
    "育才",
    "英才",
    "春蕾",
    "实验",
    "智慧树",
    "明德",
    "培英",
    "新星",
    "朝阳",
    "红黄蓝",
    "书香",
    "慧源",
    "致远",
    "弘文",
    "启航",
)
_TRAINING_SUBJECTS = ("文化", "艺术", "体育", "科技", "语言", "书法", "美术", "音乐")
_UNIVERSITY_FIELDS = (
    "理工",
    "师范",
    "医学",
    "财经",
    "工业",
    "农业",
    "科技",
    "交通",
    "艺术",
    "体育",
    "外国语",
    "工程",
    "信息",
    "商贸",
    "水利",
    "建筑",
    "传媒",
    "健康",
)
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """Chinese numeral for 1 ≤ n ≤ 9999 as used in school names (第十一中学, 第一百零一小学)."""
    if not 0 < n < 10_000:
        return str(n)
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit_value % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(_DIGITS[digit] + unit)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


# --- the identity allocator -----------------------------------------------------------------


class _IdentityAllocator:
    """Gives out unique resident-ID numbers from per-(region, class) counters.

    For class c with a birth window of W days and S sequence numbers, the k-th person born in
    region r gets date index ``(k·P + offset) mod W`` (P coprime to W) and sequence index
    ``(k div W + date index · 37) mod S``. People sharing a date index share ``k mod W``, so
    their ``k div W`` differ and so do their sequence numbers: (date, sequence) is unique for
    every k < W·S. When a region's grid is full the person is born in the next region.
    Memory: one counter per (region, class).
    """

    def __init__(self, *, seed: int, region_codes: Sequence[str]) -> None:
        self.seed = seed
        self.region_codes = list(region_codes)
        self.counters: dict[tuple[str, str], int] = {}
        self.offsets: dict[tuple[str, str], int] = {}
        # Per class: birth dates of the window as YYYYMMDD and their share of the check sum,
        # the stride; per region: its share of the check sum (so a number costs a few adds).
        self.windows: dict[str, tuple[list[str], list[int], int]] = {}
        self.region_sums = {code: _weighted(code, 0) for code in self.region_codes}
        for name, person_class in PERSON_CLASSES.items():
            # Born after AS_OF minus (max_age + 1) years and no later than AS_OF minus min_age.
            first = AS_OF.replace(year=AS_OF.year - person_class.max_age - 1) + dt.timedelta(1)
            last = AS_OF.replace(year=AS_OF.year - person_class.min_age)
            width = (last - first).days + 1
            dates = [f"{first + dt.timedelta(days=i):%Y%m%d}" for i in range(width)]
            stride = 104_729  # a prime; stepping by it scatters consecutive people over dates
            while math.gcd(stride, width) != 1:
                stride += 2
            self.windows[name] = (dates, [_weighted(d, 6) for d in dates], stride)

    def _offset(self, region: str, class_name: str) -> int:
        """Where a (region, class) grid starts, keyed by the seed: regions differ in dates."""
        key = (region, class_name)
        offset = self.offsets.get(key)
        if offset is None:
            mixed = hashlib.sha256(f"{self.seed}|{region}|{class_name}".encode()).digest()
            offset = self.offsets[key] = int.from_bytes(mixed[:8], "big")
        return offset

    def allocate(self, region_code: str, class_name: str) -> str:
        person_class = PERSON_CLASSES[class_name]
        dates, date_sums, stride = self.windows[class_name]
        width = len(dates)
        size = person_class.seq_to - person_class.seq_from
        region = region_code
        for _attempt in range(len(self.region_codes)):
            k = self.counters.get((region, class_name), 0)
            if k < width * size:
                break
            index = self.region_codes.index(region)
            region = self.region_codes[(index + 1) % len(self.region_codes)]
        else:  # pragma: no cover - 157 regions × 10^5..10^6 cells each: beyond any scale
            raise RuntimeError(f"resident-ID space exhausted for class {class_name}")
        self.counters[(region, class_name)] = k + 1
        date_index = (k * stride + self._offset(region, class_name)) % width
        seq = person_class.seq_from + (k // width + date_index * 37) % size
        total = self.region_sums[region] + date_sums[date_index]
        total += (seq // 100) * 8 + (seq // 10 % 10) * 4 + (seq % 10) * 2  # weights 14-16
        return f"{region}{dates[date_index]}{seq:03d}{RESIDENT_ID_CHECK[total % 11]}"


def _weighted(digits: str, start: int) -> int:
    """Share of the GB 11643 check sum of ``digits`` placed at ``start`` in the number."""
    return sum(int(c) * RESIDENT_ID_WEIGHTS[start + i] for i, c in enumerate(digits))


# --- the generator ----------------------------------------------------------------------------


@dataclass
class GenerationResult:
    """What a generation run wrote."""

    directory: Path
    dataset_id: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Organisation:
    key: int
    name: str
    kind: str
    parent_key: int | None
    region_code: str


def dataset_id_for(
    *, seed: int, scale: float, ensure_counties: Sequence[str], people_factor: float = 1.0
) -> str:
    """Identifies the content of a generated directory: same parameters, same files."""
    counties = ",".join(sorted(ensure_counties))
    spec = f"{FORMAT}|{seed}|{scale!r}|{counties}|{people_factor!r}|{AS_OF}"
    return hashlib.sha256(spec.encode()).hexdigest()[:16]


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    weight_sum = sum(weights)
    quotas = [total * w / weight_sum for w in weights]
    counts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


class _ProvinceWriter:
    """Holds the run's state (counters, RNG, open files) while rows are streamed out."""

    def __init__(
        self,
        *,
        directory: Path,
        seed: int,
        scale: float,
        ensure_counties: Sequence[str],
        people_factor: float,
        progress: Callable[[str, int], None] | None,
    ) -> None:
        self.directory = directory
        self.seed = seed
        self.scale = scale
        self.people_factor = people_factor
        self.ensure_counties = tuple(ensure_counties)
        self.progress = progress
        # Synthetic data wants a reproducible stream, not unpredictability.
        self.rng = random.Random(seed)  # noqa: S311
        self.cities = henan_cities()
        self.counties = henan_counties()
        self.county_weights = self._county_weights()
        self.identities = _IdentityAllocator(
            seed=seed, region_codes=[county.code for county in self.counties]
        )
        self.counts = {"organisations": 0, "institutions": 0, "people": 0, "affiliations": 0}
        self.people_by_role = {"teacher": 0, "student": 0}
        self.institutions_by_kind = dict.fromkeys(KIND_PROFILES, 0)
        self.county_cumulative = list(accumulate(self.county_weights))
        self.serial = 0  # USCC serial across organisations and institutions
        self.organisations: dict[str, _Organisation] = {}
        self.names_used: set[str] = set()  # per county, cleared as the stream moves on
        self.name_counters: dict[tuple[str, str], int] = {}

    # -- weights and counts --

    def _county_weights(self) -> list[float]:
        """Population weight per county: the city's population over its counties, jittered."""
        jitter = random.Random(self.seed ^ 0x5EED)  # noqa: S311
        per_city: dict[str, int] = {}
        for county in self.counties:
            per_city[county.city.code] = per_city.get(county.city.code, 0) + 1
        return [
            county.city.population / per_city[county.city.code] * jitter.uniform(0.6, 1.4)
            for county in self.counties
        ]

    def institution_plan(self) -> list[dict[str, int]]:
        """How many institutions of each kind each county gets (index-aligned with counties)."""
        plan = [dict.fromkeys(KIND_PROFILES, 0) for _ in self.counties]
        for kind, profile in KIND_PROFILES.items():
            total = max(1, round(profile.count * self.scale))
            weights = list(self.county_weights)
            if kind == "university":
                weights = self._university_weights()
            for index, count in enumerate(_allocate(total, weights)):
                plan[index][kind] = count
        for index, county in enumerate(self.counties):
            if county.code in self.ensure_counties:
                for kind in ENSURED_KINDS:
                    plan[index][kind] = max(1, plan[index][kind])
        return plan

    def _university_weights(self) -> list[float]:
        """Universities sit in city districts (or 济源), three in five in Zhengzhou."""
        weights: list[float] = []
        other_population = sum(
            city.population for city in self.cities if city.code != ZHENGZHOU_CODE
        )
        districts: dict[str, int] = {}
        for county in self.counties:
            if county.is_district or county.code == JIYUAN_CODE:
                districts[county.city.code] = districts.get(county.city.code, 0) + 1
        for county in self.counties:
            if not (county.is_district or county.code == JIYUAN_CODE):
                weights.append(0.0)
            elif county.city.code == ZHENGZHOU_CODE:
                weights.append(UNIVERSITY_SHARE_ZHENGZHOU / districts[county.city.code])
            else:
                share = (1 - UNIVERSITY_SHARE_ZHENGZHOU) * county.city.population
                weights.append(share / other_population / districts[county.city.code])
        return weights

    # -- writing --

    def run(self) -> GenerationResult:
        self.directory.mkdir(parents=True, exist_ok=True)
        manifest = self.directory / "manifest.json"
        manifest.unlink(missing_ok=True)  # an interrupted run must not look complete
        with (
            self._open("organisations.csv") as org_file,
            self._open("institutions.csv") as inst_file,
            self._open("people.csv") as people_file,
            self._open("affiliations.csv") as aff_file,
        ):
            orgs = csv.writer(org_file, lineterminator="\n")
            self.institutions = csv.writer(inst_file, lineterminator="\n")
            self.people = csv.writer(people_file, lineterminator="\n")
            self.affiliations = csv.writer(aff_file, lineterminator="\n")
            orgs.writerow(ORGANISATION_COLUMNS)
            self.institutions.writerow(INSTITUTION_COLUMNS)
            self.people.writerow(PERSON_COLUMNS)
            self.affiliations.writerow(AFFILIATION_COLUMNS)
            self._write_organisations(orgs)
            for county, kinds in zip(self.counties, self.institution_plan(), strict=True):
                self.names_used.clear()
                for kind, count in kinds.items():
                    for _ in range(count):
                        self._write_institution(county, kind)
                if self.progress is not None:
                    self.progress("people", self.counts["people"])
        dataset_id = dataset_id_for(
            seed=self.seed,
            scale=self.scale,
            ensure_counties=self.ensure_counties,
            people_factor=self.people_factor,
        )
        counts = {
            **self.counts,
            "teachers": self.people_by_role["teacher"],
            "students": self.people_by_role["student"],
        }
        payload: dict[str, Any] = {
            "format": FORMAT,
            "dataset_id": dataset_id,
            "seed": self.seed,
            "scale": self.scale,
            "people_factor": self.people_factor,
            "as_of": AS_OF.isoformat(),
            "ensure_counties": sorted(self.ensure_counties),
            "counts": counts,
            "institutions_by_kind": self.institutions_by_kind,
        }
        manifest.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        return GenerationResult(directory=self.directory, dataset_id=dataset_id, counts=counts)

    def _open(self, name: str) -> TextIO:
        return (self.directory / name).open("w", encoding="utf-8", newline="")

    def _next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def _write_organisations(self, writer: Any) -> None:
        def add(name: str, kind: str, parent: _Organisation | None, region: str) -> _Organisation:
            key = len(self.organisations) + 1
            uscc = make_uscc(
                registration="11", region_code=region, serial=self._next_serial(), seed=self.seed
            )
            org = _Organisation(key, name, kind, parent.key if parent else None, region)
            writer.writerow((key, name, kind, org.parent_key or "", region, uscc))
            self.organisations[region] = org
            return org

        province = add("河南省教育厅", "province", None, PROVINCE_CODE)
        for city in self.cities:
            city_org = add(f"{city.name}教育局", "city", province, city.code)
            for county in self.counties:
                if county.city.code == city.code and county.code != JIYUAN_CODE:
                    add(f"{county.display_name}教育局", "county", city_org, county.code)
        self.counts["organisations"] = len(self.organisations)

    def _supervisor(self, county: County, kind: str) -> _Organisation:
        """Universities answer to the province, vocational schools to their city, others to
        their county (济源's schools to 济源's bureau)."""
        if kind == "university":
            return self.organisations[PROVINCE_CODE]
        if kind == "vocational" or county.code == JIYUAN_CODE:
            return self.organisations[county.city.code]
        return self.organisations[county.code]

    def _write_institution(self, county: County, kind: str) -> None:
        profile = KIND_PROFILES[kind]
        rng = self.rng
        private = rng.random() < profile.private_share
        serial = self._next_serial()
        # Training institutions are companies (91); schools are public (12) or private (52).
        registration = "91" if kind == "training" else "52" if private else "12"
        if kind == "university":
            registration_region = PROVINCE_CODE
        elif kind == "vocational":
            registration_region = county.city.code
        else:
            registration_region = county.code
        uscc = make_uscc(
            registration=registration,
            region_code=registration_region,
            serial=serial,
            seed=self.seed,
        )
        licence = f"教民1{county.code}{serial:08d}号" if private else ""
        self.counts["institutions"] += 1
        self.institutions_by_kind[kind] += 1
        key = self.counts["institutions"]
        name = self._institution_name(county, kind, private)
        level = ""
        if kind == "university":
            level = "junior_college" if name.endswith("职业学院") else "undergraduate"
        self.institutions.writerow(
            (
                key,
                uscc,
                name,
                kind,
                "private" if private else "public",
                level,
                county.code,
                self._supervisor(county, kind).key,
                licence,
                self._name(male=rng.random() < 0.5),
            )
        )
        size = self.people_factor
        teachers = max(1, round(profile.teachers * size * rng.uniform(0.4, 1.6)))
        students = round(profile.students * size * rng.uniform(0.4, 1.6))
        if kind != "training":
            students = max(1, students)
        for _ in range(teachers):
            self._write_person(county, key, "teacher", "teacher", local_share=0.5)
        student_class = kind if kind in PERSON_CLASSES else "primary"
        # Young children are mostly born where they go to school; students of universities and
        # vocational schools come from all over the province.
        local = 0.9 if kind in ("kindergarten", "primary", "secondary") else 0.3
        for _ in range(students):
            self._write_person(county, key, "student", student_class, local_share=local)

    def _write_person(
        self, county: County, institution_key: int, role: str, class_name: str, local_share: float
    ) -> None:
        rng = self.rng
        if rng.random() < local_share:
            region = county.code
        else:
            position = rng.random() * self.county_cumulative[-1]
            region = self.counties[bisect.bisect(self.county_cumulative, position)].code
        number = self.identities.allocate(region, class_name)
        self.counts["people"] += 1
        self.counts["affiliations"] += 1
        self.people_by_role[role] += 1
        key = self.counts["people"]
        self.people.writerow((key, "resident_id", number, self._name(male=number[16] in "13579")))
        self.affiliations.writerow(
            (key, institution_key, role, self._started_on(number, role, class_name))
        )

    def _started_on(self, number: str, role: str, class_name: str) -> str:
        """When the affiliation began: the September the person entered this stage, or, for
        teachers, a September between age 22 and now."""
        birth_year = int(number[6:10])
        if role == "teacher":
            first = birth_year + 22
            return f"{self.rng.randint(min(first, AS_OF.year), AS_OF.year)}-09-01"
        entry_age = PERSON_CLASSES[class_name].min_age
        return f"{min(AS_OF.year, birth_year + entry_age + 1)}-09-01"

    def _name(self, *, male: bool) -> str:
        rng = self.rng
        surname = _SURNAMES[
            bisect.bisect(_SURNAME_CUMULATIVE, rng.random() * _SURNAME_CUMULATIVE[-1])
        ]
        given_names = _GIVEN_MALE if male else _GIVEN_FEMALE
        given = given_names[int(rng.random() * len(given_names))]
        if len(given) == 1 and rng.random() < 0.6:
            given += given_names[int(rng.random() * len(given_names))][0]
        return surname + given

    def _ordinal(self, scope: str, kind: str) -> int:
        counter = self.name_counters.get((scope, kind), 0) + 1
        self.name_counters[(scope, kind)] = counter
        return counter

    def _unique(self, name: str) -> str:
        """Append a branch number (分校) to a name already used in this county."""
        candidate = name
        branch = 1
        while candidate in self.names_used:
            branch += 1
            candidate = f"{name}（第{chinese_number(branch)}分校）"
        self.names_used.add(candidate)
        return candidate

    def _institution_name(self, county: County, kind: str, private: bool) -> str:
        rng = self.rng
        place = county.display_name
        brand = _BRANDS[int(rng.random() * len(_BRANDS))]
        if kind == "kindergarten":
            if private:
                return self._unique(f"{place}{brand}幼儿园")
            return f"{place}第{chinese_number(self._ordinal(county.code, kind))}幼儿园"
        if kind == "primary":
            if private:
                return self._unique(f"{place}{brand}小学")
            return f"{place}第{chinese_number(self._ordinal(county.code, kind))}小学"
        if kind == "secondary":
            if private:
                return self._unique(f"{place}{brand}中学")
            return f"{place}第{chinese_number(self._ordinal(county.code, kind))}中学"
        if kind == "vocational":
            city = county.city.name
            ordinal = chinese_number(self._ordinal(county.city.code, kind))
            if private:
                return self._unique(f"{city}{brand}职业学校")
            return f"{city}第{ordinal}中等职业学校"
        if kind == "university":
            city = county.city.name.removesuffix("市")
            n = self._ordinal(county.city.code, kind)
            subject = _UNIVERSITY_FIELDS[(n - 1) % len(_UNIVERSITY_FIELDS)]
            round_number = (n - 1) // len(_UNIVERSITY_FIELDS)
            prefix = f"{city}{'第' + chinese_number(round_number + 1) if round_number else ''}"
            if private:
                return f"{prefix}{subject}职业学院"
            return f"{prefix}{subject}学院"
        company = CompanyNames.company_prefixes[
            int(rng.random() * len(CompanyNames.company_prefixes))
        ]
        subject = _TRAINING_SUBJECTS[int(rng.random() * len(_TRAINING_SUBJECTS))]
        return self._unique(f"{place}{company}{subject}培训学校有限公司")


def province_generate(
    *,
    directory: Path,
    scale: float,
    seed: int = 2026,
    ensure_counties: Iterable[str] = (),
    people_factor: float = 1.0,
    progress: Callable[[str, int], None] | None = None,
) -> GenerationResult:
    """Write a synthetic Henan at ``scale`` (1.0 ≈ 50 000 institutions, 27 M people) as CSV.

    ``people_factor`` shrinks (or grows) every institution's staff and enrolment — realistic
    sizes at 1.0; small values give tests and demos many institutions but few people.
    """
    if not 0 < scale <= 10:
        raise ValueError("scale must be in (0, 10]")
    if not 0 < people_factor <= 10:
        raise ValueError("people_factor must be in (0, 10]")
    known = {county.code for county in henan_counties()}
    ensure = tuple(ensure_counties)
    unknown = [code for code in ensure if code not in known]
    if unknown:
        raise ValueError(f"unknown county codes: {', '.join(unknown)}")
    writer = _ProvinceWriter(
        directory=directory,
        seed=seed,
        scale=scale,
        ensure_counties=ensure,
        people_factor=people_factor,
        progress=progress,
    )
    return writer.run()


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a generated directory (raises ``FileNotFoundError`` if incomplete)."""
    data: dict[str, Any] = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{directory} is not an {FORMAT} directory")
    return data


__all__ = [
    "AS_OF",
    "KIND_PROFILES",
    "PERSON_CLASSES",
    "City",
    "GenerationResult",
    "province_generate",
    "read_manifest",
]
