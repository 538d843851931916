"""The newer domains' core flows with the keyboard alone, as a resident who
cannot use a touch screen or a mouse does: Tab to move, Space to tick a box or a
radio button, Enter or Space to press a button, the arrow key to pick in a list,
and typing. Signing a petition, registering for a meeting, answering a survey and
filing a complaint. test_axe.py runs them (in Arabic) on its seeded demo, then
checks the pages they lead to with axe-core."""

# What each control answers when the Tab key reaches it; reading the element
# under focus is the only use of the DOM (no click, no fill).
FOCUSED = """form => {
  const e = document.activeElement;
  if (!e || !e.closest(form)) return null;
  const group = e.name && e.form
    ? e.form.querySelectorAll(`[name="${CSS.escape(e.name)}"]:checked`).length
    : 0;
  return {tag: e.tagName, type: e.type || "", id: e.id, value: e.value || "",
          checked: group > 0};
}"""
MOST_TABS = 120


def tab_to(page, selector: str) -> None:
    """Press Tab until ``selector`` has the focus (fails if it never does)."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reaches {selector} on {page.url}")


def answer_by_keyboard(page, form: str, texts: dict[str, str]) -> None:
    """Tab through ``form`` answering each control with keys, then press Enter
    on its submit button. ``texts``: what to type in a field, by id; other
    text areas get a sentence; an empty list gets its next choice."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        element = page.evaluate(FOCUSED, form)
        if element is None:
            continue
        kind, tag = element["type"], element["tag"]
        if kind == "submit":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        if kind in ("radio", "checkbox") and not element["checked"]:
            page.keyboard.press("Space")
        elif tag == "SELECT" and element["value"] in ("", "0"):
            page.keyboard.press("ArrowDown")
        elif element["id"] in texts:
            page.keyboard.type(texts[element["id"]])
        elif tag == "TEXTAREA" and not element["value"]:
            page.keyboard.type("الرصيف مكسور أمام المدرسة منذ شهرين.")
    raise AssertionError(f"Tab never reaches the submit button of {form}")


def sign_petition(page, base: str, petition: int, voter: tuple[str, str]) -> None:
    cin, birth = voter
    page.goto(f"{base}/petitions/{petition}")
    answer_by_keyboard(page, "form[action$='/sign']", {"cin": cin, "birth_date": birth})
    assert page.locator(".sign .badge.ok").count() == 1, "petition not signed"


def register_for_meeting(page, base: str, meeting: int) -> None:
    page.goto(f"{base}/meetings/{meeting}")
    tab_to(page, "form[action$='/register'] button")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.locator("form[action$='/cancel'] button").count() == 1, (
        "not registered for the meeting"
    )


def answer_survey(page, base: str, survey: int) -> None:
    page.goto(f"{base}/surveys/{survey}")
    answer_by_keyboard(page, "form.survey-form", {})
    said = page.locator(".flash, .error").all_inner_texts()
    accepted = (
        page.locator(".flash-success").count()
        and not page.locator(".flash-error, .flash-warning").count()
    )
    assert accepted, f"survey answers refused: {said}"


def file_complaint(page, base: str) -> None:
    page.goto(f"{base}/complaints/new")
    answer_by_keyboard(page, "main form[enctype]", {})
    assert not page.url.endswith("/complaints/new"), "complaint not filed"


def walk(page, base: str, ids: dict, check) -> None:
    """All four flows, in the order a resident might do them; ``check(label)``
    audits the page each one leads to."""
    sign_petition(page, base, ids["petition"], ids["voter"])
    check("petition signed by keyboard")
    register_for_meeting(page, base, ids["meeting"])
    check("meeting registration by keyboard")
    answer_survey(page, base, ids["survey"])
    check("survey answered by keyboard")
    file_complaint(page, base)
    check("complaint filed by keyboard")
