"""The built site in headless Chromium, as a reader uses it (Playwright, Debian's chromium).

The site is served by a static file server on loopback; every request the pages make is
recorded, and any that leaves the loopback host fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from harness.browser import CHROMIUM, first_visit_next, launch_chromium
from harness.site.pages import SITE, Page
from harness.site.paths import ARTIFACTS
from harness.tools.lighthouse import PALETTE_INPUT, TRANSITIONS_END

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
expect.set_options(timeout=15_000)  # a busy machine may need seconds to open a popover
PAGES = SITE.pages
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="module")
def browser():
    """Chromium for this module; closed after it, since Playwright's sync API keeps an event
    loop running in this thread while it is open (asyncio.run in later snippets would fail)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


class Tab:
    """The reader's tab: one page for the whole module, navigated from page to page and palette to
    palette. A new tab (or browser context) starts a renderer process for each page it loads,
    which doubled the CPU time of a page load here (8 pages: 22-26 s of CPU in a new context
    each, 10-15 s in one tab navigated). Requests that leave the loopback host are added to
    ``outside``; each load's errors go to ``page.js_errors`` and ``page.console_errors``."""

    def __init__(self, browser, site_url: str):
        self.site_url = site_url
        self.origin = site_url.rstrip("/")
        self.outside: list[str] = []
        self.context = browser.new_context(
            reduced_motion="reduce", viewport={"width": 1280, "height": 900}
        )
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=self.origin)
        self.context.on("request", self._watch)
        # Only a hung page should hit this: a loaded machine is slow, not wrong.
        self.context.set_default_timeout(60_000)
        self.page = page = self.context.new_page()
        page.js_errors, page.console_errors = [], []
        page.on("pageerror", lambda e: page.js_errors.append(str(e)))
        page.on(
            "console",
            lambda m: (
                page.console_errors.append(f"{m.text} ({m.location.get('url')})")
                if m.type == "error"
                else None
            ),
        )
        self.shown: tuple[str, str] | None = None  # what the tab shows, as loaded
        self.cdp = self.context.new_cdp_session(page)

    def _watch(self, request) -> None:  # observed, not intercepted: that costs a round trip
        host = urlsplit(request.url).hostname or ""
        if not request.url.startswith(("data:", "blob:")) and host not in LOOPBACK:
            self.outside.append(request.url)

    def load(self, url: str, color_scheme: str = "light"):
        """Load a page of the site in the reader's palette, as on a first visit: its errors start
        empty and the site's storage is cleared."""
        page = self.page
        if page.url != "about:blank":
            first_visit_next(page, self.cdp, self.origin)
        page.emulate_media(color_scheme=color_scheme)
        page.js_errors.clear()
        page.console_errors.clear()
        page.goto(self.site_url + url, wait_until="load")
        page.wait_for_selector("[data-md-type='copy'], .md-content", state="attached")
        self.shown = (url, color_scheme)
        return page

    def showing(self, url: str, color_scheme: str = "light"):
        """The page as a test left it, if the tab still shows it; else loaded again."""
        here = self.page.url.split("#")[0]
        if self.shown == (url, color_scheme) and here == self.site_url + url:
            return self.page
        return self.load(url, color_scheme)

    def switch_palette(self, to: str):
        """Click Material's palette toggle on the page shown, as a reader does, to the "light" or
        "dark" palette; returns once the page shows it and its colour transitions have ended."""
        page = self.page
        palette = page.locator(PALETTE_INPUT.format(to))
        page.locator(f"label[for='{palette.get_attribute('id')}']").click()
        expect(page.locator("body")).to_have_attribute(
            "data-md-color-scheme", palette.get_attribute("data-md-color-scheme")
        )
        page.evaluate(TRANSITIONS_END)
        if self.shown:
            self.shown = (self.shown[0], to)
        return page


@pytest.fixture(scope="module")
def tab(browser, site_url):
    tab = Tab(browser, site_url)
    yield tab
    tab.context.close()


@pytest.fixture
def open_page(tab):
    """Load a page of the site afresh, for this test alone (it may navigate away); fails the test
    if any request leaves the loopback host."""
    before = len(tab.outside)
    yield tab.load
    tab.shown = None
    assert len(tab.outside) == before, f"requests left the loopback host: {tab.outside[before:]}"


@pytest.fixture
def shared_page(tab):
    """A page of the site as the previous test left it, when the tab still shows it in the palette
    asked for (else loaded again), for the tests that look at it and interact without leaving
    it; each test fails if a request leaves the loopback host while it runs."""
    before = len(tab.outside)
    yield tab.showing
    assert len(tab.outside) == before, f"requests left the loopback host: {tab.outside[before:]}"


def pid(page: Page) -> str:
    return page.rel


def rendered_blocks(page):
    return page.locator(".md-content pre > code")


# Open the content tabs and collapsed blocks that hold an element, as a reader would.
SHOW = """el => {
    let block = el.closest('.tabbed-block');
    while (block) {
        const set = block.closest('.tabbed-set');
        const i = Array.from(block.parentElement.children).indexOf(block);
        set.querySelectorAll(':scope > .tabbed-labels > label')[i].click();
        block = set.parentElement.closest('.tabbed-block');
    }
    for (let d = el.closest('details'); d; d = d.parentElement.closest('details')) {
        d.open = true;
    }
    el.scrollIntoView({block: 'center'});
}"""
BLUR = "() => document.activeElement && document.activeElement.blur()"
EMPTY_CLIPBOARD = "() => navigator.clipboard.writeText('')"
# The clipboard's text once it is not empty, else a falsy value (wait_for_function polls it).
COPIED = "async () => (await navigator.clipboard.readText()) || null"
# What a click at the element's centre would reach, if not the element: null once it is on top,
# waiting up to 60 frames, a second or more (an annotation's tooltip closing keeps its place
# above the code for 0.25 s); else the element in the way.
IN_THE_WAY = """async el => {
    const hit = () => {
        const box = el.getBoundingClientRect();
        return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    };
    for (let frame = 0; frame < 60; frame++) {
        if (el.contains(hit())) return null;
        await new Promise(resolve => requestAnimationFrame(resolve));
    }
    return hit() ? hit().outerHTML.slice(0, 300) : 'nothing: the element is off screen';
}"""


def show(page, element) -> None:
    element.evaluate(SHOW)


def calm(page) -> None:
    """No tooltip open, so that none lies over what is clicked next: nothing focused (a focused
    annotation keeps its tooltip open) and the pointer on the header's corner (fixed, with no
    tooltip), not over an annotation that scrolling brought under it."""
    page.evaluate(BLUR)
    page.mouse.move(0, 0)


def assert_no_errors(page) -> None:
    """No console error and no uncaught JavaScript error since the page was loaded."""
    assert not page.console_errors, page.console_errors
    assert not page.js_errors, page.js_errors


def plain(markdown: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"[`*]", "", text)


@pytest.mark.parametrize("doc", PAGES, ids=pid)
def test_page_loads_cleanly(shared_page, doc):
    """In the light palette (the reader's system setting here) the page loads without an error
    so far, and a screenshot of its first screen is kept for a person (one of the whole page
    added a third to these tests' time). What it fetches after its load event is checked by
    test_nothing_the_page_fetches_fails, once the tests between have given it the time."""
    page = shared_page(doc.url)
    assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
    assert_no_errors(page)
    screenshot(page, doc, "light")


def screenshot(page, doc: Page, palette: str) -> None:
    out = ARTIFACTS / "screenshots" / f"{doc.name}.{doc.lang}.{palette}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out))
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize("doc", PAGES, ids=pid)
def test_dark_palette_shows_cleanly(tab, shared_page, doc):
    """Material's palette toggle, clicked on the page just loaded: the dark scheme shows without
    an error, a screenshot of its first screen is kept for a person, and the toggle switches back
    to the light scheme for the tests after this one on the page."""
    shared_page(doc.url)
    page = tab.switch_palette("dark")
    assert_no_errors(page)
    screenshot(page, doc, "dark")
    tab.switch_palette("light")


@pytest.mark.parametrize(("address", "lang"), [("", "en"), ("zh/", "zh")])
def test_palette_follows_the_systems_dark_setting(open_page, address, lang):
    """A reader whose system is set to dark gets the dark palette on their first visit (the
    light setting is every page's load in test_page_loads_cleanly)."""
    page = open_page(address, color_scheme="dark")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    assert_no_errors(page)


@pytest.mark.parametrize("doc", PAGES, ids=pid)
def test_annotations_render_as_popovers(shared_page, doc):
    page = shared_page(doc.url)
    code = rendered_blocks(page)
    assert code.count() == len(doc.blocks), f"{doc.rel}: {code.count()} code blocks rendered"
    for n, block in enumerate(doc.blocks):
        buttons = code.nth(n).locator(".md-annotation")
        expected = len(block.markers)
        assert buttons.count() == expected, f"{block.where()}: {buttons.count()} annotation buttons"
        if expected:
            first = buttons.first.locator(".md-annotation__index")
            show(page, first)
            in_the_way = first.evaluate(IN_THE_WAY)  # the last one's popover, closing
            assert in_the_way is None, f"{block.where()}: over its annotation: {in_the_way}"
            first.click(force=True)
            tooltip = code.nth(n).locator(".md-tooltip__inner").first
            want = " ".join(plain(block.annotations[0]).split())[:20]
            # retried until Material has moved the annotation's text into the popover
            expect(tooltip, f"{block.where()}: the popover lacks the page's text").to_contain_text(
                want, use_inner_text=True
            )
            page.keyboard.press("Escape")
    assert not page.js_errors, page.js_errors


ANNOTATION = {"en": "Annotation {}", "zh": "注释 {}"}


@pytest.mark.parametrize("doc", [p for p in PAGES if any(b.markers for b in p.blocks)], ids=pid)
def test_annotation_buttons_are_named_and_open_from_the_keyboard(shared_page, doc):
    """A screen reader announces each annotation button in the page's language, and a keyboard
    user reaches the first one with Tab and sees its text, as a mouse user does."""
    page = shared_page(doc.url)
    page.wait_for_function(  # a11y.js names them in a task after Material creates them
        """() => [...document.querySelectorAll('.md-content a.md-annotation__index')]
                 .every(a => a.hasAttribute('aria-label'))"""
    )
    names = page.evaluate(
        """() => [...document.querySelectorAll('.md-content a.md-annotation__index')].map(a =>
            [a.getAttribute('aria-label'),
             a.querySelector('[data-md-annotation-id]').dataset.mdAnnotationId])"""
    )
    assert len(names) == sum(len(b.markers) for b in doc.blocks), names
    wrong = [(label, n) for label, n in names if label != ANNOTATION[doc.lang].format(n)]
    assert not wrong, f"{doc.rel}: annotation buttons named {wrong[:3]}"
    first = page.locator(".md-content .md-annotation").first
    show(page, first)
    calm(page)
    page.locator(".md-content h1").first.click()
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('md-annotation')"):
            break
    else:
        pytest.fail(f"{doc.rel}: Tab never reaches an annotation button")
    focused = page.locator(".md-annotation:focus")
    assert focused.locator(".md-annotation__index").get_attribute("aria-label"), "unnamed"
    tooltip = focused.locator(".md-tooltip__inner")
    expect(tooltip, f"{doc.rel}: the focused annotation shows no text").to_have_text(
        re.compile(r"\S"), use_inner_text=True
    )


@pytest.mark.parametrize(
    "address,lang,text",
    [("no-such-page/", "en", "This page does not exist"), ("zh/no-such-page/", "zh", "页面不存在")],
)
def test_404_speaks_the_readers_language(open_page, address, lang, text):
    """The static host answers every missing address with /404.html; under /zh/ the reader
    lands on the Chinese one."""
    page = open_page(address)
    page.wait_for_function(f"document.documentElement.lang === '{lang}'")
    page.wait_for_load_state("load")
    assert text in page.locator(".md-content").inner_text()
    assert page.locator(".md-content h1").inner_text().strip() == "404"


@pytest.mark.parametrize("doc", PAGES, ids=pid)
def test_copy_button_copies_the_snippet(shared_page, doc):
    page = shared_page(doc.url)
    code = rendered_blocks(page)
    for n, block in enumerate(doc.blocks):
        button = code.nth(n).locator("xpath=..").locator("[data-md-type='copy']")
        # The pointer out of the way; then, in one round trip, the button shown, nothing focused
        # (a focused annotation keeps its tooltip open), the clipboard emptied and the button on
        # top where it will be clicked.
        page.mouse.move(0, 0)
        script = f"""async el => {{
            ({SHOW})(el); ({BLUR})(); await ({EMPTY_CLIPBOARD})(); return ({IN_THE_WAY})(el);
        }}"""
        in_the_way = button.evaluate(script)
        assert in_the_way is None, f"{block.where()}: over its copy button: {in_the_way}"
        # A real click at the button's centre, without Playwright's own waits for it to be the
        # element there (a third of this test's time: the check above does it in the page).
        button.click(force=True)
        # The click writes the clipboard asynchronously (navigator.clipboard.writeText): wait
        # for the write to land, as the emptied clipboard filling, instead of reading at once.
        copied = page.wait_for_function(COPIED).json_value()
        expected = block.code
        # Material keeps the spaces that stood before a removed "# (1)!": ignore trailing blanks.
        got = [line.rstrip() for line in copied.rstrip("\n").splitlines()]
        want = expected.rstrip("\n").splitlines()
        assert got == want, f"{block.where()}: the copy button gives other code than the snippet"


@pytest.mark.parametrize("doc", PAGES, ids=pid)
def test_nothing_the_page_fetches_fails(shared_page, doc):
    """Nothing the page fetched fails, including what it fetches after its load event (Material
    fetches a sitemap beside each hreflang link, and the search index): once the network has
    been idle for 500 ms, by which time the tests above on the page have usually passed."""
    page = shared_page(doc.url)
    page.wait_for_load_state("networkidle")
    assert_no_errors(page)


@pytest.mark.parametrize("doc", [p for p in PAGES if p.lang == "en"], ids=pid)
def test_language_switcher_keeps_the_page(shared_page, site_url, doc):
    """From the English page to the same page in Chinese, and back (the last test on the page:
    it leaves the page by its links)."""
    zh = SITE.page(doc.name, "zh")
    page = shared_page(doc.url)
    page.locator(".md-select__link[hreflang='zh']").first.evaluate("a => a.click()")
    page.wait_for_url(site_url + zh.url)
    assert page.locator("html").get_attribute("lang") == "zh"
    page.locator(".md-select__link[hreflang='en']").first.evaluate("a => a.click()")
    page.wait_for_url(site_url + doc.url)
    assert page.locator("html").get_attribute("lang") == "en"
    assert not page.js_errors, page.js_errors


def test_linked_tabs_switch_together(open_page):
    page = open_page("vllm/")
    label = "OpenAI Python client"
    sets = page.locator(".tabbed-set").filter(has=page.locator("label", has_text=label))
    assert sets.count() >= 2, "the vLLM page should have two curl/OpenAI tab sets"
    sets.first.locator("label", has_text=label).click()
    for i in range(sets.count()):
        shown = sets.nth(i).evaluate(
            """s => {
                const inputs = Array.from(s.querySelectorAll(':scope > input'));
                const i = inputs.findIndex(x => x.checked);
                return s.querySelectorAll(':scope > .tabbed-labels > label')[i].innerText;
            }"""
        )
        assert shown == label, f"tab set {i} shows {shown!r}"


def moves() -> list[tuple[str, str]]:
    """(old address, new address) of every section that moved, in both languages."""
    from harness.hooks.moved import MOVED

    out = []
    for lang in ("", "zh/"):
        for name, anchors in MOVED.items():
            old = lang + ("" if name == "index" else f"{name}/")
            for anchor, new in anchors.items():
                page, _, target = new.partition("#")
                out.append((f"{old}#{anchor}", f"{lang}{page}/#{target}"))
    return out


@pytest.mark.parametrize(("old", "new"), moves())
def test_a_moved_sections_old_address_leads_to_it(open_page, site_url, old, new):
    """A link to a section that moved to another page (harness/hooks/moved.py) lands on it."""
    page = open_page(old)
    page.wait_for_url(site_url + new)
    anchor = new.split("#")[1]
    assert page.locator(f"[id='{anchor}']").count() == 1, f"{new} has no #{anchor}"


@pytest.mark.parametrize(
    ("start", "query", "expected"),
    [("zh/", "流式", "zh/chat/"), ("", "streaming", "chat/")],
)
def test_search_finds_the_page(open_page, site_url, start, query, expected):
    page = open_page(start)
    page.locator(".md-search__input").click()
    box, results = page.locator(".md-search__input"), page.locator(".md-search-result__link")
    # Material searches on keyup, and Chinese text arrives as composed input with no key
    # events: fill the box, then press End. The search worker builds its index after the page
    # loads and ignores queries that come before it is ready, so try again until it answers.
    deadline = time.monotonic() + 120  # generous: a loaded machine builds the index slowly
    while time.monotonic() < deadline:
        box.fill(query)
        box.press("End")
        try:
            results.first.wait_for(state="attached", timeout=1000)
            break
        except Exception:
            continue
    hrefs = results.evaluate_all("links => links.map(a => a.href)")
    assert any(h.split("?")[0].split("#")[0] == site_url + expected for h in hrefs), hrefs


# The calculator's grid: every format, a short, the served, the native and the longest context,
# one and several sequences, and cards on either side of the figures.
CALC_CONTEXTS = (1024, 8192, 32768, 49152, 131072)
CALC_SEQUENCES = (1, 4)
CALC_MEMORY = (8, 12, 24, 80)


def two_places(x: float) -> str:
    """What JavaScript's toFixed(2) writes: the exact binary value, a tie rounded up."""
    from decimal import ROUND_HALF_UP, Decimal

    return str(Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(("address", "lang"), [("", "en"), ("zh/", "zh")])
def test_calculator_shows_what_python_computes(open_page, address, lang):
    """The home page's calculator, driven over a grid of inputs by keyboard-reachable fields,
    shows for each the weights, KV cache, overhead, total and verdict that harness/qwen2/memory.py
    computes, names the route's page, and flags the contexts that need YaRN."""
    import json

    from harness.qwen2 import memory

    data = json.loads(memory.DATA.read_text(encoding="utf-8"))
    page = open_page(address)
    form = page.locator("#calculator")
    expect(form).to_be_visible()
    for name in ("format", "context", "sequences", "memory"):
        label = page.locator(f"label[for='calc-{name}']")
        assert label.inner_text().strip(), f"calc-{name} has no label"
    checked = 0
    for fmt in data["formats"]:
        page.select_option("#calc-format", fmt["id"])
        for context in CALC_CONTEXTS:
            page.fill("#calc-context", str(context))
            for sequences in CALC_SEQUENCES:
                page.fill("#calc-sequences", str(sequences))
                for card in CALC_MEMORY:
                    page.fill("#calc-memory", str(card))
                    want = memory.need(fmt["bytes"], fmt["route"], context, sequences, card)
                    shown = page.evaluate(
                        """() => Object.fromEntries(
                            ["weights", "kv", "overhead", "total"].map(
                                k => [k, document.getElementById("calc-" + k).textContent])
                            .concat([["fits", document.getElementById("calc-verdict").dataset.fits],
                                     ["route", document.querySelector("#calc-verdict a")
                                        .getAttribute("href")],
                                     ["yarn", !document.getElementById("calc-yarn").hidden]]))"""
                    )
                    expected = {
                        k: two_places(want[k]) for k in ("weights", "kv", "overhead", "total")
                    }
                    expected |= {
                        "fits": "yes" if want["fits"] else "no",
                        "route": calculator_page(fmt["route"]),
                        "yarn": context > data["native_context"],
                    }
                    where = f"{lang} {fmt['id']}, {context} tokens x {sequences}, {card} GiB"
                    assert shown == expected, where
                    checked += 1
    assert checked == len(data["formats"]) * 40
    assert_no_errors(page)


def calculator_page(route: str) -> str:
    from harness.hooks.calculator import PAGES

    return PAGES[route].replace(".md", "/")
