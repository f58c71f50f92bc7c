"""A stand-in for the provincial platform (信用河南): a small real HTTP service on the stdlib.

Outbound (EduCredit → platform)::

    POST /api/v1/batches   {"rows": [{"key", "kind", "operation", "row"}, ...]}
      → 200 {"batch": "<reference>", "receipts": [{"key", "accepted", "duplicate",
                                                     "reference", "reasons": [...]}, ...]}

One receipt per row, in order. Rows are checked as the platform would (required fields per
kind, GB 32100 credit codes, dates, 处罚类别 present, fines when 罚款 …; for commitments the
20-digit code, the code lists and the fulfilment result kept apart from the supervision
state, ``commitment_layout``); a bad row is refused
with reasons ("中文 / English"). The store is keyed by the idempotency key: a key already
accepted is answered "already received" (accepted, ``duplicate``) and is not stored again, so the
store holds each key exactly once whatever the sender retries.

Inbound (platform → EduCredit), from data set with ``set_inbound`` or ``POST /control/inbound``::

    GET /api/v1/evaluations        公共信用综合评价: [{"uscc", "grade", "evaluated_on"}]
    GET /api/v1/dishonesty-lists   other departments' lists: [{"uscc", "name", "list_name",
                                                               "department", "listed_on"}]

Control (tests drive the Python methods; the command's users the endpoints)::

    POST /control   {"delay": seconds, "fail": 500|503|null, "down_for": seconds}
    GET  /control/store   {"stored": {key: row}, "received": [key, ...]}

Tests start it on ``127.0.0.1`` port 0 in a thread (``start``), take it down (``go_down``: it
stops listening) and bring it back on the same port (``come_back``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from educredit.core.identifiers import IdentifierError, is_uscc_placeholder, validate_uscc
from educredit.exchange import commitment_layout as cn

BATCH_PATH = "/api/v1/batches"
EVALUATIONS_PATH = "/api/v1/evaluations"
DISHONESTY_PATH = "/api/v1/dishonesty-lists"

PENALTY_REQUIRED = (
    "CF_XDR_MC", "CF_XDR_LB", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR",
    "CF_JDRQ", "CF_YXQ", "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM",
)  # fmt: skip
LICENCE_REQUIRED = (
    "XK_XDR_MC", "XK_XDR_LB", "XK_WSH", "XK_NR", "XK_JDRQ", "XK_YXQZ", "XK_YXQZI",
    "XK_XKJG", "XK_XKJGDM", "XK_LYDW", "XK_LYDWDM",
)  # fmt: skip
# What a revocation (撤销) needs: which decision, from which body.
REVOKE_REQUIRED = {"penalty": ("CF_WSH", "CF_CFJGDM"), "licence": ("XK_WSH", "XK_XKJGDM")}
# Per kind: field prefix, (decision date, validity end, other dates), credit-code fields.
LAYOUTS: dict[str, dict[str, Any]] = {
    "penalty": {
        "prefix": "CF",
        "required": PENALTY_REQUIRED,
        "decision": "CF_JDRQ",
        "until": "CF_YXQ",
        "dates": ("CF_JDRQ", "CF_YXQ", "CF_GSJZQ"),
        "codes": ("CF_CFJGDM", "CF_SJLYDM"),
    },
    "licence": {
        "prefix": "XK",
        "required": LICENCE_REQUIRED,
        "decision": "XK_JDRQ",
        "until": "XK_YXQZI",
        "dates": ("XK_JDRQ", "XK_YXQZ", "XK_YXQZI"),
        "codes": ("XK_XKJGDM", "XK_LYDWDM"),
    },
}
PARTY_CATEGORIES = ("法人及非法人组织", "自然人", "个体工商户")
PENALTY_CATEGORIES = (
    "警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件",
    "降低资质等级", "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭",
    "限制从业", "行政拘留", "其他",
)  # fmt: skip


def _reason(field_code: str, zh: str, en: str) -> dict[str, str]:
    return {"field": field_code, "message": f"{zh} / {en}"}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip().replace("/", "-"))
    except ValueError:
        return None


def _check_commitment(operation: str, row: dict[str, Any]) -> list[dict[str, str]]:
    """The 信用承诺信息 checks (domain rules §4.2, §12): the standard's required fields and code
    lists, the 20-digit code, and the fulfilment result kept apart from the supervision state."""
    if operation not in ("add", "change"):
        return [_reason("operation", "承诺信息只能新增或变更", "a commitment is added or changed")]
    reasons = [
        _reason(code, f"{code} 为必填项", f"{code} is required")
        for code in cn.COMMITMENT_REQUIRED
        if _blank(row.get(code))
    ]
    reasons.extend(
        _reason(code, f"{code} 仍为加密值", f"{code} arrived still sealed")
        for code, value in row.items()
        if isinstance(value, dict)
    )
    code = str(row.get("code") or "")
    made = _date(row.get("commitmentDate"))
    if code and cn.code_date(code) is None:
        reasons.append(
            _reason(
                "code",
                "承诺编码应为20位：6位行政区划码、8位日期、6位流水号",
                "the code must be 20 digits: region (6), date (8), serial (6)",
            )
        )
    elif code and made and cn.code_date(code) != made:
        reasons.append(
            _reason(
                "code", "承诺编码中的日期与承诺作出日期不符", "the code's date is not the date made"
            )
        )
    lists = (
        ("subjectCategory", cn.PARTY_CATEGORIES),
        ("commitmentTypeId", cn.COMMITMENT_TYPES),
        ("superviseStatus", cn.SUPERVISION_STATES),
        ("publicationType", cn.PUBLICATION_TYPES),
    )
    for field_code, allowed in lists:
        value = row.get(field_code)
        if not _blank(value) and value not in allowed:
            reasons.append(
                _reason(field_code, f"{value} 不在代码表中", f"{value} is not in the code list")
            )
    result = row.get("fulfillmentStatus")
    if not _blank(result) and result not in cn.FULFILMENT_RESULTS:
        reasons.append(
            _reason(
                "fulfillmentStatus",
                f"承诺履行状态只能为全部履行、部分履行或全部未履行，不能为 {result}",
                f"the fulfilment result is 全部履行, 部分履行 or 全部未履行, not {result}",
            )
        )
    if result in cn.UNFULFILLED_RESULTS:
        reasons.extend(
            _reason(field_code, f"{result}时 {field_code} 必填", f"{field_code} is required")
            for field_code in ("unperformedCommitmentContent", "liabilityBreachCommitmentContent")
            if _blank(row.get(field_code))
        )
    if row.get("superviseStatus") == "监管完成" and _blank(result):
        reasons.append(
            _reason(
                "fulfillmentStatus",
                "监管完成时承诺履行状态必填",
                "a finished supervision needs its fulfilment result",
            )
        )
    for field_code in cn.CREDIT_CODE_FIELDS:
        value = row.get(field_code)
        if not _blank(value):
            try:
                validate_uscc(str(value))
            except IdentifierError as exc:
                reasons.append(
                    _reason(field_code, f"{field_code} {exc.zh}", f"{field_code} {exc.en}")
                )
    reasons.extend(
        _reason(field_code, f"{field_code} 日期格式应为 YYYY-MM-DD", f"{field_code} must be a date")
        for field_code in ("commitmentDate", "commitmentValidity", "fulfillmentStatusDate")
        if not _blank(row.get(field_code)) and _date(row.get(field_code)) is None
    )
    until = _date(row.get("commitmentValidity"))
    if made and until and until < made:
        reasons.append(
            _reason(
                "commitmentValidity", "有效期不得早于承诺日期", "validity ends before it was made"
            )
        )
    return reasons


def check_row(kind: str, operation: str, row: Any) -> list[dict[str, str]]:
    """The platform's checks of one row: an empty list when it is acceptable."""
    if kind == "commitment":
        if not isinstance(row, dict):
            return [_reason("row", "数据行应为对象", "the row must be an object")]
        return _check_commitment(operation, row)
    if kind not in LAYOUTS:
        return [_reason("kind", f"不支持的数据类别 {kind}", f"unsupported kind {kind}")]
    if operation not in ("add", "change", "revoke"):
        return [_reason("operation", f"不支持的操作 {operation}", f"unknown operation {operation}")]
    if not isinstance(row, dict):
        return [_reason("row", "数据行应为对象", "the row must be an object")]
    layout = LAYOUTS[kind]
    prefix = layout["prefix"]
    required = REVOKE_REQUIRED[kind] if operation == "revoke" else layout["required"]
    reasons = [
        _reason(code, f"{code} 为必填项", f"{code} is required")
        for code in required
        if _blank(row.get(code))
    ]
    for code, value in row.items():
        if isinstance(value, dict):
            reasons.append(_reason(code, f"{code} 仍为加密值", f"{code} arrived still sealed"))
    for code in layout["codes"]:
        value = row.get(code)
        if not _blank(value):
            try:
                validate_uscc(str(value))
            except IdentifierError as exc:
                reasons.append(_reason(code, f"{code} {exc.zh}", f"{code} {exc.en}"))
    if operation == "revoke":
        return reasons
    party = row.get(f"{prefix}_XDR_LB")
    if not _blank(party) and party not in PARTY_CATEGORIES:
        reasons.append(
            _reason(
                f"{prefix}_XDR_LB", f"相对人类别 {party} 不在代码表中", f"unknown party {party}"
            )
        )
    uscc = row.get(f"{prefix}_XDR_SHXYM")
    if party in ("法人及非法人组织", "个体工商户") and _blank(uscc):
        reasons.append(
            _reason(f"{prefix}_XDR_SHXYM", "统一社会信用代码为必填项", "credit code is required")
        )
    elif not _blank(uscc) and is_uscc_placeholder(str(uscc)):
        if _blank(row.get(f"{prefix}_XDR_GSZC")):
            reasons.append(
                _reason(
                    f"{prefix}_XDR_GSZC",
                    "代码为17个0加X时工商注册号必填",
                    "registration number required with the placeholder credit code",
                )
            )
    elif not _blank(uscc):
        try:
            validate_uscc(str(uscc))
        except IdentifierError as exc:
            reasons.append(_reason(f"{prefix}_XDR_SHXYM", exc.zh, exc.en))
    if party == "自然人" and _blank(row.get(f"{prefix}_XDR_ZJHM")):
        reasons.append(
            _reason(
                f"{prefix}_XDR_ZJHM", "自然人证件号码必填", "a person's document number is required"
            )
        )
    reasons.extend(
        _reason(code, f"{code} 日期格式应为 YYYY-MM-DD", f"{code} must be a YYYY-MM-DD date")
        for code in layout["dates"]
        if not _blank(row.get(code)) and _date(row.get(code)) is None
    )
    decided, until = _date(row.get(layout["decision"])), _date(row.get(layout["until"]))
    if decided and until and until < decided:
        reasons.append(
            _reason(layout["until"], "有效期不得早于决定日期", "validity ends before the decision")
        )
    if kind == "penalty":
        categories = [c.strip() for c in str(row.get("CF_CFLB") or "").split(";") if c.strip()]
        reasons.extend(
            _reason("CF_CFLB", f"处罚类别 {category} 不在代码表中", f"unknown category {category}")
            for category in categories
            if category not in PENALTY_CATEGORIES
        )
        if "罚款" in categories:
            try:
                if Decimal(str(row.get("CF_NR_FK"))) <= 0:
                    raise InvalidOperation
            except InvalidOperation:
                reasons.append(
                    _reason("CF_NR_FK", "处罚类别含罚款时罚款金额必填", "fine amount required")
                )
    return reasons


@dataclass
class PlatformState:
    """What the platform holds and how it behaves; guarded by ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: list[str] = field(default_factory=list)
    delay: float = 0.0
    fail: int | None = None
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    dishonesty: list[dict[str, Any]] = field(default_factory=list)
    references: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the command print what matters themselves."""

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")

    def do_GET(self) -> None:
        state = self.server.state
        path = self.path.split("?", 1)[0]
        with state.lock:
            if path == EVALUATIONS_PATH:
                self._send(200, {"evaluations": list(state.evaluations)})
            elif path == DISHONESTY_PATH:
                self._send(200, {"entries": list(state.dishonesty)})
            elif path == "/control/store":
                self._send(200, {"stored": dict(state.stored), "received": list(state.received)})
            else:
                self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        state = self.server.state
        try:
            body = self._body()
        except (ValueError, UnicodeDecodeError):
            self._send(400, {"error": "请求体不是 JSON / body is not JSON"})
            return
        if self.path == "/control":
            self.server.simulator.control(**(body or {}))
            self._send(200, {"ok": True})
            return
        if self.path == "/control/inbound":
            self.server.simulator.set_inbound(**(body or {}))
            self._send(200, {"ok": True})
            return
        if self.path != BATCH_PATH:
            self._send(404, {"error": "not found"})
            return
        with state.lock:
            delay, fail = state.delay, state.fail
        if delay:
            time.sleep(delay)
        if fail:
            self._send(fail, {"error": "平台暂时不可用 / platform unavailable"})
            return
        rows = body.get("rows") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            self._send(400, {"error": "缺少 rows / rows missing"})
            return
        with state.lock:
            batch_ref = f"B{next(state.references):08d}"
            receipts = [self._receive(state, entry) for entry in rows]
        self._send(200, {"batch": batch_ref, "receipts": receipts})

    @staticmethod
    def _receive(state: PlatformState, entry: Any) -> dict[str, Any]:
        if not isinstance(entry, dict) or _blank(entry.get("key")):
            return {
                "key": None,
                "accepted": False,
                "duplicate": False,
                "reference": "",
                "reasons": [_reason("key", "缺少幂等键", "idempotency key missing")],
            }
        key = str(entry["key"])
        state.received.append(key)
        if key in state.stored:
            return {
                "key": key,
                "accepted": True,
                "duplicate": True,
                "reference": state.stored[key]["reference"],
                "reasons": [_reason("key", "该数据已接收", "already received")],
            }
        kind, operation = str(entry.get("kind")), str(entry.get("operation"))
        reasons = check_row(kind, operation, entry.get("row"))
        if reasons:
            return {"key": key, "accepted": False, "duplicate": False, "reference": "",
                    "reasons": reasons}  # fmt: skip
        reference = f"R{next(state.references):08d}"
        state.stored[key] = {
            "reference": reference,
            "kind": kind,
            "operation": operation,
            "row": entry["row"],
        }
        return {"key": key, "accepted": True, "duplicate": False, "reference": reference,
                "reasons": []}  # fmt: skip


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: PlatformState, sim: PlatformSimulator):
        self.state = state
        self.simulator = sim
        super().__init__(address, _Handler)


class PlatformSimulator:
    """The simulated platform; its state survives going down and coming back."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.state = PlatformState()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def batch_url(self) -> str:
        return self.url + BATCH_PATH

    @property
    def is_up(self) -> bool:
        return self._server is not None

    def start(self) -> PlatformSimulator:
        """Listen (on the port it had before, if it ran already) and serve in a thread."""
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), self.state, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="platform-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until ``start``/``come_back``."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    go_down = stop
    come_back = start

    def serve_forever(self) -> None:
        """Run in the foreground (the command); Ctrl-C stops."""
        self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            self.stop()

    def control(
        self, *, delay: float | None = None, fail: int | None = 0, down_for: float | None = None
    ) -> None:
        """Answer after ``delay`` seconds; answer ``fail`` (500/503) to batches, ``None``/0 to
        stop failing; stop listening for ``down_for`` seconds (then come back by itself)."""
        with self.state.lock:
            if delay is not None:
                self.state.delay = float(delay)
            if fail != 0:
                self.state.fail = int(fail) if fail else None
        if down_for:
            # From another thread: shutdown() waits for the serving loop, which runs this call.
            def down_then_up() -> None:
                self.stop()
                self._timer = threading.Timer(float(down_for), self.start)
                self._timer.daemon = True
                self._timer.start()

            threading.Thread(target=down_then_up, daemon=True).start()

    def set_inbound(
        self,
        *,
        evaluations: list[dict[str, Any]] | None = None,
        dishonesty: list[dict[str, Any]] | None = None,
    ) -> None:
        """Set the grades and other departments' lists served on the inbound endpoints."""
        with self.state.lock:
            if evaluations is not None:
                self.state.evaluations = list(evaluations)
            if dishonesty is not None:
                self.state.dishonesty = list(dishonesty)

    def stored_keys(self) -> list[str]:
        with self.state.lock:
            return list(self.state.stored)

    def received_keys(self) -> list[str]:
        with self.state.lock:
            return list(self.state.received)
