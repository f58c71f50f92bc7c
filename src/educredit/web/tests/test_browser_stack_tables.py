"""Phone-first tables (ADR 0035) in a real browser.

A credit subject acts on their own record from a phone: every button of the self-service
record list is on screen, full-size and clickable, and the page never scrolls sideways. Staff
list pages, loaded as a clerk on a phone, show their ``ec-stack`` rows as cards. On a laptop
the same tables stay ordinary tables.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from educredit.catalog.choices import SubjectType
from educredit.records.choices import CreditRecordStatus
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.rights.objections import objection_file
from educredit.rights.tests.factories import make_county, make_subject_user, make_teacher
from educredit.rights.tests.test_repair import penalty
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.testing.browser import PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"

# How every ec-stack table on the page is laid out: per table, whether its header row takes
# visible room, and per body cell its label, what the label's ::before shows, the cell's width
# against its row's, and its display.
STACK_LAYOUT = """
() => Array.from(document.querySelectorAll("table.ec-stack")).map((table) => {
  const head = table.tHead ? table.tHead.getBoundingClientRect() : null;
  const cells = Array.from(table.querySelectorAll(":scope > tbody > tr > td")).map((td) => ({
    label: td.getAttribute("data-label"),
    before: getComputedStyle(td, "::before").content,
    actions: td.classList.contains("ec-actions"),
    width: td.getBoundingClientRect().width,
    rowWidth: td.parentElement.getBoundingClientRect().width,
    display: getComputedStyle(td).display,
  }));
  return {
    id: table.getAttributeNames().filter((name) => name.startsWith("data-ec")).join(" "),
    headHeight: head ? head.height : null,
    // Header cells taking room on screen, and whether each is a select-all box's.
    headShown: table.tHead
      ? Array.from(table.tHead.querySelectorAll("th"))
          .filter((th) => head.width > 1 && th.getBoundingClientRect().width > 1)
          .map((th) => th.querySelector("[data-ec-select-all]") !== null)
      : [],
    headRole: table.tHead ? table.tHead.querySelector("th")?.getAttribute("role") : null,
    rowDisplay: table.rows[1] ? getComputedStyle(table.rows[1]).display : null,
    wrapperScroll: (() => {
      const wrapper = table.closest(".table-responsive");
      return wrapper ? wrapper.scrollWidth - wrapper.clientWidth : 0;
    })(),
    cells: cells,
  };
})
"""


def assert_on_screen_and_clickable(page: Any, control: Any) -> None:
    """The control is visible, of a finger's size, inside the viewport's width and not covered."""
    from playwright.sync_api import expect

    # Scroll the page down to it, never sideways: a control a user must first find by swiping
    # a table sideways is the bug this guards against (Playwright's own scrolling would swipe).
    control.evaluate(
        "(el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY"
        " - window.innerHeight / 2)"
    )
    expect(control).to_be_visible()
    box = control.bounding_box()
    assert box is not None
    width = page.evaluate("window.innerWidth")
    name = control.inner_text()
    assert box["width"] > 0 and box["height"] > 0, name
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box, width)
    # What a finger on the middle of the control would touch is the control itself.
    hit = page.evaluate(
        "([el, x, y]) => el.contains(document.elementFromPoint(x, y))",
        [control.element_handle(), box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit, f"{name} is covered or clipped"


def assert_stack_layout(page: Any, *, phone: bool) -> None:
    """On a phone every ec-stack table is cards (labelled cells, full row width, no header row
    taking room); on a laptop it is an ordinary table with its header row."""
    tables = page.evaluate(STACK_LAYOUT)
    assert tables, f"no ec-stack table on {page.url}"
    for table in tables:
        assert table["cells"], table["id"]
        assert table["headRole"] == "columnheader", table["id"]
        if not phone:
            assert table["headHeight"] and table["headHeight"] > 10, table["id"]
            assert table["rowDisplay"] == "table-row", table["id"]
            shown = [cell for cell in table["cells"] if cell["display"] != "none"]
            assert all(cell["display"] == "table-cell" for cell in shown), table["id"]
            continue
        # The header row takes no room (a select-all box alone stays above the cards).
        assert all(table["headShown"]), table["id"]
        if not table["headShown"]:
            assert table["headHeight"] is None or table["headHeight"] <= 1, table["id"]
        # Nor does a .table-responsive wrapper scroll sideways inside the page.
        assert table["wrapperScroll"] <= 1, table["id"]
        assert table["rowDisplay"] == "block", table["id"]
        for cell in table["cells"]:
            if cell["display"] == "none":
                continue
            assert cell["label"], (page.url, table["id"], cell)
            # Each cell takes its row's whole width: no column squeezed to a character a line.
            assert cell["width"] >= 0.9 * cell["rowWidth"], (page.url, table["id"], cell)
            # A value cell shows its label; the action cell's buttons stand alone.
            shown_label = "none" if cell["actions"] else f'"{cell["label"]}"'
            assert cell["before"] == shown_label, (page.url, table["id"], cell)


def test_subject_acts_on_own_record_from_a_phone(
    browser_page: Any, screenshot: Any, viewport: Any
) -> None:
    from playwright.sync_api import expect

    shipped_measure_list()
    county = make_county()
    training = county.school
    fines = [penalty(county, training, days_ago=days) for days in (120, 150, 200)]
    long_title = make_record(
        actor=county.clerk,
        reviewer=county.reviewer,
        catalog_item=make_catalog_item(subject_type=SubjectType.INSTITUTION),
        institution=training,
        title="未按规定公示收费项目、收费标准和退费办法，且在招生简章中使用“保过”“包分配”等误导性表述"
        * 2,
        issuing_body="郑州市中原区教育局（行政审批和政务信息管理科）",
        status=CreditRecordStatus.EFFECTIVE,
    )
    officer = make_subject_user(actor=county.clerk, institution=training)
    # One record is already under objection: it offers no action at all.
    objected = fines.pop()
    objection_file(actor=officer, record=objected, reasons="处罚决定书送达地址有误。")
    page = browser_page
    phone = viewport == PHONE

    sign_in(page, officer.username, landing="/self/")
    table = page.locator("table[data-ec-own-records]")
    expect(table).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the record list scrolls sideways"
    assert_stack_layout(page, phone=phone)

    controls = table.locator("td.ec-actions").locator("a, button")
    objection_links = table.get_by_role("link", name="提出异议")
    repair_links = table.get_by_role("link", name="信用修复")
    # Every effective record can be objected to; the penalties past their minimum period can
    # be repaired; the record under objection offers nothing, and on a phone its card has no
    # empty action line.
    expect(objection_links).to_have_count(len(fines) + 1)
    objected_actions = table.locator(f"[data-ec-record='{objected.public_id}'] td.ec-actions")
    expect(objected_actions).to_be_empty()
    if phone:
        expect(objected_actions).to_be_hidden()
    assert repair_links.count() >= 1
    assert controls.count() == objection_links.count() + repair_links.count()
    for index in range(controls.count()):
        assert_on_screen_and_clickable(page, controls.nth(index))
    if phone:
        # Full-size buttons, not the laptop's small ones: a finger's height.
        for index in range(controls.count()):
            box = controls.nth(index).bounding_box()
            assert box is not None and box["height"] >= 40, box
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "self-service-records")

    # Clicking them lands on the objection form and on the repair page.
    row = table.locator(f"[data-ec-record='{long_title.public_id}']")
    row.get_by_role("link", name="提出异议").click()
    expect(page).to_have_url(re.compile(rf"/self/objections/new/\?record={long_title.public_id}$"))
    expect(page.get_by_label("异议理由")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    page.go_back()
    repair = repair_links.first
    assert_on_screen_and_clickable(page, repair)
    repair.click()
    expect(page).to_have_url(re.compile(r"/self/repairs/new/\?record="))
    expect(page.locator("[data-ec-eligibility]")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def make_staff_lists(county: Any) -> None:
    """Something on each staff list page: records of several states (one awaiting review),
    a teacher, a penalty on the school, an objection the teacher filed."""
    shipped_measure_list()
    teacher = make_teacher(county, name="欧阳明月")
    item = make_catalog_item(subject_type=SubjectType.PERSON)
    records = [
        make_record(
            actor=county.clerk,
            reviewer=county.reviewer,
            catalog_item=item,
            person=teacher,
            title=f"未按规定参加继续教育培训且逾期未补足学时（{status.label}）",
            status=status,
        )
        for status in (
            CreditRecordStatus.EFFECTIVE,
            CreditRecordStatus.SUBMITTED,
            CreditRecordStatus.DRAFT,
        )
    ]
    penalty(county, county.school)
    teacher_user = make_subject_user(actor=county.clerk, person=teacher)
    objection_file(actor=teacher_user, record=records[0], reasons="当天本人在外地培训，记录有误。")


# (who, page): what a county's clerk and its reviewer open on a phone every day.
STAFF_LISTS = (
    ("clerk", "/records/"),
    ("clerk", "/subjects/institutions/"),
    ("clerk", "/subjects/people/"),
    ("clerk", "/catalog/"),
    ("clerk", "/sanctions/scenarios/"),
    ("reviewer", "/records/review/"),
    ("reviewer", "/rights/objections/"),
)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_staff_lists_are_cards_on_a_phone(browser_page: Any, screenshot: Any) -> None:
    county = make_county()
    make_staff_lists(county)
    page = browser_page

    for who in ("clerk", "reviewer"):
        page.context.clear_cookies()
        sign_in(page, getattr(county, who).username)
        for _who, url in (entry for entry in STAFF_LISTS if entry[0] == who):
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{url} scrolls sideways on a phone"
            assert_stack_layout(page, phone=True)
            controls = page.locator("table.ec-stack td.ec-actions").locator("a, button, input")
            for control in controls.all():
                assert_on_screen_and_clickable(page, control)
            page.evaluate("window.scrollTo(0, 0)")
            screenshot(page, "stack-" + url.strip("/").replace("/", "-"))

    # The review queue's cards keep their check boxes, and "select all" above them works.
    page.goto("/records/review/")
    select_all = page.get_by_role("checkbox", name="全选本页")
    assert_on_screen_and_clickable(page, select_all)
    select_all.check()
    boxes = page.locator("input[name=records]")
    assert boxes.count() >= 1
    for index in range(boxes.count()):
        assert boxes.nth(index).is_checked()
