"""How batches reach the platform: one interface, two ways (HTTP JSON and file drop).

A transport takes the rows of a batch (``SendRow``: key, kind, operation, unsealed row) and
returns one ``PlatformReceipt`` per row, in the same order, or raises ``TransportError`` when it
cannot tell what the platform did (connection refused, timeout, HTTP 5xx, an answer it cannot
read). After a ``TransportError`` the worker treats the whole batch as not sent; re-sending is
safe because the platform deduplicates by key.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

from educredit.exchange.choices import Transport
from educredit.exchange.rows import national_columns


class TransportError(RuntimeError):
    """The batch's fate is unknown or it was not taken: retry later."""


@dataclass(frozen=True)
class SendRow:
    key: str
    kind: str
    operation: str
    row: dict[str, Any]


@dataclass(frozen=True)
class PlatformReceipt:
    key: str
    accepted: bool
    duplicate: bool = False
    reference: str = ""
    reasons: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class SendResult:
    receipts: list[PlatformReceipt]
    excerpt: str = ""


class BatchTransport(Protocol):
    name: str

    def send(self, rows: list[SendRow]) -> SendResult:
        """Deliver ``rows``; one receipt per row in order, or raise ``TransportError``."""
        ...


EXCERPT_CHARS = 2000


class HttpTransport:
    """POST the batch as JSON to the platform's batch endpoint (see ``simulator``)."""

    name: str = Transport.HTTP.value

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        if not url:
            raise TransportError("no platform URL configured (EDUCREDIT_EXCHANGE_URL)")
        self.url, self.timeout = url, timeout

    def send(self, rows: list[SendRow]) -> SendResult:
        body = json.dumps(
            {
                "rows": [
                    {"key": r.key, "kind": r.kind, "operation": r.operation, "row": r.row}
                    for r in rows
                ]
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL comes from settings)
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise TransportError(f"HTTP {exc.code} from the platform") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise TransportError(f"platform unreachable: {exc}") from exc
        text = raw.decode("utf-8", errors="replace")
        try:
            answer = json.loads(text)
            receipts = [
                PlatformReceipt(
                    key=str(entry["key"]),
                    accepted=bool(entry["accepted"]),
                    duplicate=bool(entry.get("duplicate", False)),
                    reference=str(entry.get("reference") or ""),
                    reasons=list(entry.get("reasons") or []),
                )
                for entry in answer["receipts"]
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise TransportError(f"unreadable answer: {text[:200]!r}") from exc
        if [r.key for r in receipts] != [r.key for r in rows]:
            raise TransportError("the platform's receipts do not match the rows sent")
        return SendResult(receipts=receipts, excerpt=text[:EXCERPT_CHARS])


class FileDropTransport:
    """Write each batch as a CSV in a drop directory (front-end-database style exchange).

    One file per batch, ``<prefix>-<kind>.csv`` per kind present, with ``_key`` and
    ``_operation`` first, then every column of the kind's national layout in the standard's
    order (``rows.NATIONAL_COLUMNS``; empty when a row lacks it), then any other field present;
    UTF-8 with BOM so spreadsheet software opens it. A ``<prefix>.manifest.json`` lists the
    files, their row counts and keys, written last (the pick-up side reads a batch only once
    its manifest exists).

    There is no answer from the platform in this style: a row written is treated as ACCEPTED
    (its receipt says so, reference = the file name). Rejections found by the platform later
    come back out of band and are not handled here.
    """

    name: str = Transport.FILE.value

    def __init__(self, directory: str | Path) -> None:
        if not directory:
            raise TransportError("no drop directory configured (EDUCREDIT_EXCHANGE_DROP_DIR)")
        self.directory = Path(directory)

    def send(self, rows: list[SendRow]) -> SendResult:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        prefix = f"batch-{stamp}"
        by_kind: dict[str, list[SendRow]] = {}
        for row in rows:
            by_kind.setdefault(row.kind, []).append(row)
        manifest: dict[str, Any] = {"batch": prefix, "files": []}
        written: dict[str, str] = {}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for kind, kind_rows in by_kind.items():
                columns = national_columns(kind, {c for r in kind_rows for c in r.row})
                name = f"{prefix}-{kind}.csv"
                tmp = self.directory / (name + ".part")
                with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(["_key", "_operation", *columns])
                    for r in kind_rows:
                        writer.writerow(
                            [r.key, r.operation, *(_cell(r.row.get(c)) for c in columns)]
                        )
                tmp.replace(self.directory / name)
                manifest["files"].append(
                    {
                        "name": name,
                        "kind": kind,
                        "rows": len(kind_rows),
                        "keys": [r.key for r in kind_rows],
                    }
                )
                written.update((r.key, name) for r in kind_rows)
            tmp = self.directory / f"{prefix}.manifest.json.part"
            tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(self.directory / f"{prefix}.manifest.json")
        except OSError as exc:
            raise TransportError(f"cannot write the drop files: {exc}") from exc
        receipts = [
            PlatformReceipt(key=r.key, accepted=True, reference=written[r.key]) for r in rows
        ]
        return SendResult(
            receipts=receipts, excerpt=json.dumps(manifest, ensure_ascii=False)[:EXCERPT_CHARS]
        )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def configured_transport() -> BatchTransport:
    """The transport the settings name (``EDUCREDIT_EXCHANGE_TRANSPORT``: http or file)."""
    kind = settings.EDUCREDIT_EXCHANGE_TRANSPORT
    if kind == Transport.FILE:
        return FileDropTransport(settings.EDUCREDIT_EXCHANGE_DROP_DIR)
    return HttpTransport(
        settings.EDUCREDIT_EXCHANGE_URL,
        timeout=float(settings.EDUCREDIT_EXCHANGE_TIMEOUT),
    )
