"""The analysts' web page, driven in a real headless Chromium against a real server over the sample corpus.

The browser is Debian's ``chromium`` (never one downloaded by Playwright); without ``/usr/bin/chromium`` these
tests are skipped. Screenshots of each view go to ``test-artifacts/screenshots/``; the page's load time and a
search round trip are measured and printed in the run's summary (and written to ``test-artifacts/``).
"""

from __future__ import annotations

import itertools
import re
import socket
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import uvicorn
from docx import Document
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from models.embedder import Embedder
from models.ukrainian_pipeline import UkrainianPipeline
from service.api import create_app
from service.hromada import Hromada
from service.settings import Settings
from tests.markers import marks_tests
from tests.scans import PAGE_2_PHRASE, Scans
from tests.word_footnotes import cited_paragraphs, footnotes

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LAPTOP = {"width": 1366, "height": 800}
NARROW = {"width": 390, "height": 800}
TIMEOUT_MS = 60_000
PAGE_LOAD = "page load (to the first view drawn)"
SEARCH = "search round trip (Enter to results drawn)"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the browser tests need Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)


class Server:
    """uvicorn serving ``create_app(hromada)`` on a free local port, in a background thread."""

    def __init__(self, hromada: Hromada) -> None:
        self.app = create_app(hromada)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="web-page-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def has_route(self, path: str) -> bool:
        # The OpenAPI schema lists every route, however the routers were included.
        return path in self.app.openapi()["paths"]

    def __enter__(self) -> Server:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


READER_KEY = "reader-key-for-the-web-page-tests-0001"
WRITER_KEY = "writer-key-for-the-web-page-tests-0001"


def serve_a_copy(
    indexed: Hromada,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
    pipeline: UkrainianPipeline,
    api_keys: str = "",
) -> Iterator[Server]:
    """A server over a copy of the shared store (uploads and problem clustering write into it)."""
    store = tmp_path_factory.mktemp("web") / "store"
    indexed.store().snapshot(store)
    hromada = Hromada(Settings(store=store, api_keys=api_keys), embedder=embedder, pipeline=pipeline)
    with Server(hromada) as server:
        yield server
    hromada.close()


@pytest.fixture(scope="module")
def served(
    indexed: Hromada,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
) -> Iterator[Server]:
    """A server without keys: anybody on this machine may do anything."""
    yield from serve_a_copy(indexed, tmp_path_factory, embedder, ukrainian_pipeline)


@pytest.fixture(scope="module")
def served_with_keys(
    indexed: Hromada,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
) -> Iterator[Server]:
    """A server that wants a key; it knows one reader key and one writer key."""
    keys = f"reader:{READER_KEY},writer:{WRITER_KEY}"
    yield from serve_a_copy(indexed, tmp_path_factory, embedder, ukrainian_pipeline, keys)


@pytest.fixture(scope="module")
@marks_tests("browser", "slow")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP, locale="uk-UA", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="module")
def timings(measurements: list[str]) -> Iterator[dict[str, list[float]]]:
    """Seconds measured by the tests, by name; printed in the run's summary and kept in test-artifacts/."""
    measured: dict[str, list[float]] = defaultdict(list)
    yield measured
    lines = [
        f"web page: {name}: median {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms "
        f"over {len(values)} runs"
        for name, values in measured.items()
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "web-timings.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    measurements.extend(lines)
    print("\n".join(lines))


def screenshot(page: Page, name: str, full_page: bool = True) -> None:
    """``full_page=False`` keeps what the window shows, e.g. a source scrolled to its cited span."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def open_page(page: Page, url: str) -> float:
    """Loads the page and waits until its first view is drawn; returns the seconds it took."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    return time.perf_counter() - started


def search(page: Page, query: str) -> float:
    """Types ``query``, presses Enter and waits for the results; returns the round trip in seconds."""
    page.fill("#q", query)
    started = time.perf_counter()
    page.press("#q", "Enter")
    page.wait_for_selector(
        "#results[data-state=results], #results[data-state=empty], #results[data-state=error]"
    )
    return time.perf_counter() - started


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlparse(url).query).items()}


# ---------------------------------------------------------------- search


def test_search_with_a_filter_highlights_words_and_keeps_them_in_the_url(
    page: Page, served: Server, timings: dict[str, list[float]]
) -> None:
    timings[PAGE_LOAD].append(open_page(page, served.url))
    page.get_by_role("button", name="Фільтри").click()
    page.select_option("#kind", "appeal")
    page.fill("#region", "Житомирська")
    timings[SEARCH].append(search(page, "вода в будинках"))

    assert query_of(page.url) == {"q": "вода в будинках", "kind": "appeal", "region": "Житомирська"}
    badges = page.locator("#results .kind-badge").all_inner_texts()
    assert badges and set(badges) == {"Звернення громадян"}
    places = page.locator("#results .hit-place").all_inner_texts()
    assert all("Житомирська" in place for place in places)
    marked = [word.casefold() for word in page.locator("#results .hit-text mark").all_inner_texts()]
    assert marked and all(word.startswith(("вод", "будин")) for word in marked)
    screenshot(page, "search")

    # The URL alone restores the search, and back/forward move between searches.
    shared = page.url
    search(page, "сміття біля дороги")
    assert query_of(page.url)["q"] == "сміття біля дороги"
    page.go_back()
    expect(page.locator("#q")).to_have_value("вода в будинках")
    expect(page.locator("#kind")).to_have_value("appeal")
    expect(page.locator("#results .hit")).to_have_count(len(badges))
    page.go_forward()
    expect(page.locator("#q")).to_have_value("сміття біля дороги")
    for _ in range(2):
        timings[PAGE_LOAD].append(open_page(page, shared))
    expect(page.locator("#results .hit")).to_have_count(len(badges))


def test_results_page_through_with_ranks_that_continue(page: Page, served: Server) -> None:
    open_page(page, f"{served.url}/?q=громада&per=10")
    page.wait_for_selector("#results[data-state=results]")
    first_page = page.locator("#results .hit-rank").all_inner_texts()
    assert first_page == [str(rank) for rank in range(1, 11)]
    page.click("a[rel=next]")
    expect(page.locator("#results .hit-rank").first).to_have_text("11")
    assert query_of(page.url)["page"] == "2"
    second_titles = page.locator("#results .hit-title").all_inner_texts()
    api = httpx.get(f"{served.url}/search", params={"q": "громада", "k": 10, "offset": 10}).json()
    assert second_titles == [hit["title"] for hit in api["hits"]]


def test_search_timings_on_the_sample_corpus(
    page: Page, served: Server, timings: dict[str, list[float]]
) -> None:
    open_page(page, served.url)
    for query in ("підвезення учнів до школи", "аварійний водогін", "укриття в школах", "бюджет громади"):
        seconds = search(page, query)
        assert page.locator("#results").get_attribute("data-state") == "results"
        timings[SEARCH].append(seconds)


def test_the_page_fits_a_narrow_window_and_every_control_has_a_label(
    browser: Browser, served: Server
) -> None:
    context = browser.new_context(viewport=NARROW, locale="uk-UA")
    page = context.new_page()
    open_page(page, f"{served.url}/?q=підвезення+учнів&kind=transcript")
    page.wait_for_selector("#results[data-state=results]")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input, select')]"
        ".filter(c => c.type !== 'hidden' && !c.labels.length && !c.getAttribute('aria-label')).map(c => c.id)"
    )
    screenshot(page, "search-narrow", full_page=False)
    context.close()
    assert overflow <= 0
    assert unlabelled == []


# ---------------------------------------------------------------- source view


def test_a_hit_opens_its_source_at_the_cited_span(page: Page, served: Server) -> None:
    query = {"q": "виключна компетенція ради", "kind": "legislation"}
    hit = httpx.get(f"{served.url}/search", params={**query, "k": 11}).json()["hits"][0]
    open_page(page, f"{served.url}/?q={query['q']}&kind={query['kind']}")
    page.wait_for_selector("#results[data-state=results]")
    page.locator("#results .hit").first.get_by_role("link", name="Відкрити в джерелі").click()

    cited = page.locator("#cited-span")
    expect(cited).to_have_text(hit["text"], use_inner_text=False)
    assert query_of(page.url) == {
        "view": "source",
        "doc": str(hit["doc_id"]),
        "start": str(hit["start"]),
        "end": str(hit["end"]),
        "chunk": str(hit["chunk_id"]),
    }
    in_view = page.evaluate(
        "(() => { const box = document.getElementById('cited-span').getBoundingClientRect();"
        " return box.top < window.innerHeight && box.bottom > 0; })()"
    )
    assert in_view
    expect(page.locator(".source-meta h1")).to_have_text(hit["title"])
    expect(page.locator(".source-meta .hit-citation")).to_contain_text(hit["citation"])
    screenshot(page, "source", full_page=False)
    page.go_back()
    expect(page.locator("#results .hit")).not_to_have_count(0)


# ---------------------------------------------------------------- report basket


def test_two_excerpts_are_reordered_and_downloaded_as_docx(
    page: Page, served: Server, tmp_path: Path
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url)
    open_page(page, f"{served.url}/?q=аварійний+водогін")
    page.wait_for_selector("#results[data-state=results]")
    hits = page.locator("#results .hit")
    chosen = [hits.nth(0), hits.nth(1)]
    citations = [hit.locator(".hit-citation").inner_text().removeprefix("Джерело: ") for hit in chosen]
    for hit in chosen:
        hit.get_by_role("button", name="+ До звіту").click()
    expect(page.locator("#basket-count")).to_have_text("2")

    page.get_by_role("link", name="Звіт").click()
    items = page.locator(".basket-item")
    expect(items).to_have_count(2)
    items.nth(1).get_by_role("button", name="Вище: витяг 2").click()
    expect(items.nth(0).locator(".basket-citation")).to_contain_text(citations[1])

    items.nth(0).get_by_role("button", name="Копіювати цитату").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("«") and copied.endswith(f"({citations[1]}).")
    page.get_by_label("Назва звіту").fill("Аварії водогону")
    screenshot(page, "basket")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Завантажити DOCX").click()
    docx_path = tmp_path / "report.docx"
    download_info.value.save_as(docx_path)
    report = Document(str(docx_path))
    assert footnotes(report) == {1: f"{citations[1]}.", 2: f"{citations[0]}."}
    assert [number for _, number in cited_paragraphs(report)] == [1, 2]
    assert report.paragraphs[0].text.startswith("Аварії водогону — ")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Завантажити Markdown").click()
    markdown = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert f"[^1]: {citations[1]}." in markdown and f"[^2]: {citations[0]}." in markdown

    items.nth(0).get_by_role("button", name="Вилучити").click()
    expect(items).to_have_count(1)
    expect(page.locator("#basket-count")).to_have_text("1")


@pytest.fixture(scope="module")
def served_for_a_scan(
    indexed: Hromada,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
) -> Iterator[Server]:
    """A server of its own: in the shared one the scan's undated sentences would join the problems charted later."""
    yield from serve_a_copy(indexed, tmp_path_factory, embedder, ukrainian_pipeline)


@pytest.mark.usefixtures("tesseract")
def test_an_uploaded_scan_is_searchable_and_its_hits_say_they_were_recognised(
    page: Page, served_for_a_scan: Server, scans: Scans
) -> None:
    served = served_for_a_scan
    open_page(page, f"{served.url}/?view=upload")
    page.set_input_files("#upload-files", [str(scans.mixed_pdf)])
    page.get_by_role("button", name="Додати й проіндексувати").click()
    expect(page.locator(".upload-summary")).to_contain_text("Проіндексовано файлів: 1", timeout=180_000)

    open_page(page, f"{served.url}/?q={PAGE_2_PHRASE}")
    page.wait_for_selector("#results[data-state=results]")
    card = page.locator("#results .hit", has_text=scans.mixed_pdf.name).first
    expect(card.locator(".ocr-badge")).to_have_text("розпізнано OCR")
    expect(card.locator(".ocr-badge")).to_have_attribute(
        "title", re.compile(r"tesseract .*ukr\+rus.*Впевненість")
    )
    expect(card.locator(".hit-place")).to_contain_text("с. 2")
    expect(card.locator(".hit-citation")).to_contain_text("(розпізнано OCR)")
    # The same rules as a text PDF (the corpus's sport-rules.pdf) are not marked.
    text_card = page.locator("#results .hit", has_text="sport-rules.pdf").first
    expect(text_card.locator(".ocr-badge")).to_have_count(0)
    screenshot(page, "search-scan")

    card.get_by_role("link", name="Відкрити в джерелі").click()
    expect(page.locator("#cited-span")).to_contain_text("інспектор")
    meta = page.locator(".source-meta > .metadata")
    expect(meta).to_contain_text("Розпізнано OCR")
    expect(meta).to_contain_text("с. 2 (tesseract")
    expect(meta.locator(".ocr-badge")).to_have_count(1)
    screenshot(page, "source-scan", full_page=False)


# ---------------------------------------------------------------- problems and precedents


def test_a_problem_opens_with_its_examples_and_precedents(page: Page, served: Server) -> None:
    if not (served.has_route("/problems") and served.has_route("/precedents")):
        pytest.skip("the server has no /problems or /precedents route yet (issues of the problems helpers)")
    open_page(page, f"{served.url}/?view=problems")
    find = page.get_by_role("button", name="Знайти повторювані проблеми")
    page.wait_for_selector(".problems-table, .notice")
    if find.count():
        find.click()
    rows = page.locator(".problems-table tbody tr")
    expect(rows.first).to_be_visible(timeout=180_000)
    expect(page.locator(".trend-figure, .problems-table")).not_to_have_count(0)
    screenshot(page, "problems")

    label = rows.first.locator("th a").inner_text()
    rows.first.locator("th a").click()
    expect(page.locator("h1")).to_have_text(label)
    expect(page.locator(".example-list li")).not_to_have_count(0)
    expect(page.locator("#precedents")).not_to_have_attribute("aria-busy", "true", timeout=120_000)
    groups = page.locator(".precedent-group")
    expect(groups).to_have_count(3)
    assert page.locator(".precedent-group .hit").count() > 0
    assert page.locator("#precedents .notice-error").count() == 0
    screenshot(page, "problem")


# ---------------------------------------------------------------- upload


def test_a_bad_file_shows_its_error_and_the_good_one_is_indexed(
    page: Page, served: Server, tmp_path: Path
) -> None:
    broken = tmp_path / "зламаний.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a PDF")
    note = tmp_path / "нотатка.txt"
    note.write_text(
        "Нотатка про громадський транспорт. У селі Вишневе автобус до районного центру ходить двічі на тиждень.",
        encoding="utf-8",
    )
    open_page(page, f"{served.url}/?view=upload")
    page.set_input_files("#upload-files", [str(broken), str(note)])
    expect(page.locator(".file-list li")).to_have_count(2)
    page.get_by_role("button", name="Додати й проіндексувати").click()

    failed = page.locator(".upload-failed li")
    expect(failed).to_have_count(1, timeout=120_000)
    expect(failed).to_contain_text("зламаний.pdf")
    # The reader's English reason is folded away; what the page says is Ukrainian, with what to do.
    expect(failed).to_contain_text("PDF")
    expect(failed.locator(".technical-detail")).not_to_have_attribute("open", "")
    visible = failed.evaluate(
        "item => [...item.childNodes].filter(n => n.nodeName !== 'DETAILS').map(n => n.textContent).join('')"
    )
    assert "PDF" in visible and not re.search(r"\b(corrupt|truncated|is not)\b", visible)
    expect(page.locator(".upload-summary")).to_contain_text("Проіндексовано файлів: 1")
    screenshot(page, "upload")


def test_a_server_with_keys_asks_for_one_and_uploads_need_a_writer_key(
    page: Page, served_with_keys: Server, tmp_path: Path
) -> None:
    open_page(page, served_with_keys.url)
    expect(page.locator("#key-menu")).to_be_visible()
    expect(page.locator("#results .notice-error")).to_contain_text("потрібен ключ доступу")
    page.locator("#results .key-form input").fill(READER_KEY)
    page.locator("#results .key-form").get_by_role("button", name="Зберегти ключ").click()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator(".corpus-summary")).to_contain_text("У сховищі")

    note = tmp_path / "нотатка-про-дороги.txt"
    note.write_text(
        "Нотатка про ремонт доріг у громаді: потрібно відновити міст через річку.", encoding="utf-8"
    )
    page.get_by_role("link", name="Додати документи").click()
    page.set_input_files("#upload-files", str(note))
    page.get_by_role("button", name="Додати й проіндексувати").click()
    refused = page.locator("#upload-result .notice-error")
    expect(refused).to_contain_text("не дозволяє")
    expect(refused).to_contain_text("writer")
    screenshot(page, "upload-needs-writer-key")

    refused.locator("input").fill(WRITER_KEY)
    refused.get_by_role("button", name="Зберегти ключ").click()
    expect(page.locator(".upload-summary")).to_contain_text("Проіндексовано файлів: 1", timeout=120_000)


# ---------------------------------------------------------------- API docs, errors, honest search


REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def only_this_server(page: Page, server: Server) -> list[str]:
    """Refuses every request that leaves the test server, as a machine without internet would; returns them."""
    refused: list[str] = []

    def route(request_route: Route) -> None:
        if request_route.request.url.startswith(server.url):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return refused


def test_api_docs_list_the_endpoints_without_internet(page: Page, served: Server) -> None:
    refused = only_this_server(page, served)
    page.goto(f"{served.url}/docs")
    paths = page.locator(".opblock-summary-path")
    expect(paths.filter(has_text=re.compile(r"^/search$"))).to_have_count(1)
    listed = set(paths.all_inner_texts())
    assert {"/search", "/excerpts", "/documents", "/health"} <= {
        path.replace("\u200b", "") for path in listed
    }
    screenshot(page, "api-docs")
    page.goto(f"{served.url}/redoc")
    expect(page.get_by_text("/search", exact=True).first).to_be_attached()
    expect(page.locator("h2", has_text="Search").first).to_be_visible()
    screenshot(page, "api-redoc", full_page=False)
    # ReDoc's sidebar asks its CDN for its maker's logo and hides the image when that fails; nothing else leaves.
    assert set(refused) <= {REDOC_LOGO}


def test_mistakes_are_explained_in_ukrainian_with_what_to_do(page: Page, served: Server) -> None:
    open_page(page, f"{served.url}/?q=школа&sector=sport")
    error = page.locator("#results .notice-error")
    expect(error).to_contain_text("Поле «сектор» має невідоме значення.")
    expect(error).to_contain_text("education (Освіта)")
    expect(error.locator(".technical-detail")).not_to_have_attribute("open", "")
    screenshot(page, "error-unknown-sector")
    open_page(page, f"{served.url}/?q=школа&page=500")
    expect(error).to_contain_text("Поле «сторінка результатів»: має бути не більше 1000.")
    shown = error.evaluate("notice => [...notice.querySelectorAll('p')].map(p => p.textContent).join(' ')")
    assert "Input should" not in shown and "offset" not in shown
    # Without keys on the server, the key menu is not offered; the tab has an icon.
    expect(page.locator("#key-menu")).to_be_hidden()
    assert httpx.get(f"{served.url}/favicon.ico").status_code == 200


def test_search_says_when_nothing_is_close_and_counts_the_matches(page: Page, served: Server) -> None:
    open_page(page, served.url)
    search(page, "ккккккк zzzqqq")
    expect(page.locator("#results")).to_have_attribute("data-close", "false")
    expect(page.locator("#results .notice-info")).to_contain_text("Нічого не збігається із запитом близько")
    expect(page.locator("#results .hit-score").first).to_contain_text("мало спільного")
    screenshot(page, "search-nothing-close")

    search(page, "аварійний водогін")
    expect(page.locator("#results")).to_have_attribute("data-close", "true")
    expect(page.locator("#results .results-total")).to_contain_text(re.compile(r"трапляються у \d+ фрагмент"))
    score = page.locator("#results .hit-score").first
    expect(score).to_contain_text(re.compile(r"^близькість 0,\d\d$"))
    assert "косинус" in (score.get_attribute("title") or "")


def test_highlights_follow_lemmas_and_markdown_headings_are_shown_as_headings(
    page: Page, served: Server
) -> None:
    # By lemmas, as in test_search: the test is about what is marked, not about the ranking. «статут» alone finds
    # the passage that names it; with «громада» beside it the hits also say «Стаття», which must stay unmarked.
    for query in ("статут", "статут+територіальної+громади"):
        open_page(page, f"{served.url}/?q={query}&kind=legislation&mode=lexical")
        page.wait_for_selector("#results[data-state=results]")
        marked = [word.casefold() for word in page.locator("#results .hit-text mark").all_inner_texts()]
        assert not any(word.startswith("стат") and not word.startswith("статут") for word in marked), query
        if query == "статут":
            assert any(word.startswith("статут") for word in marked)
    screenshot(page, "search-lemma-highlights")
    expect(page.locator("#results .hit-text").filter(has_text="Стаття").first).to_be_attached()

    open_page(page, f"{served.url}/?q=мета+проєкту&kind=proposal")
    page.wait_for_selector("#results[data-state=results]")
    texts = page.locator("#results .hit-text").all_inner_texts()
    assert texts and not any(line.lstrip().startswith("#") for text in texts for line in text.splitlines())
    expect(page.locator("#results .excerpt-heading").first).to_be_visible()
    screenshot(page, "search-markdown-headings")


def test_a_query_past_the_limit_is_cut_and_the_page_says_so(page: Page, served: Server) -> None:
    long_query = "ремонт аварійного водогону в селі " * 80
    open_page(page, served.url)
    search(page, long_query)
    expect(page.locator("#results .notice-info").first).to_contain_text("Запит задовгий")
    heading = page.locator("#results .results-heading").inner_text()
    assert "…" in heading and len(heading) < 300
    screenshot(page, "search-cut-query", full_page=False)


# ---------------------------------------------------------------- narrow screens and the keyboard

SCREENS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 420, "height": 800}}
LEAST_LABEL_PX = 12
FIRST_RESULT_QUERY = "/?q=підвезення+дітей+до+школи"


@pytest.fixture(params=list(SCREENS))
def screen(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[str, Page]]:
    """A page in a laptop's window (1366×768) and in a phone's (420×800): each test runs in both."""
    context = browser.new_context(viewport=SCREENS[request.param], locale="uk-UA", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield request.param, context.new_page()
    context.close()


def box(page: Page, selector: str) -> dict[str, float]:
    """The element's rectangle in the window, in CSS pixels."""
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }"
    )


def in_window(page: Page, rectangle: dict[str, float]) -> bool:
    height = page.evaluate("window.innerHeight")
    return rectangle["top"] >= 0 and rectangle["bottom"] <= height


def with_problems(server: Server) -> list[dict[str, object]]:
    """The served store's problems, found first when nobody has asked for them yet."""
    problems = httpx.get(f"{server.url}/problems").json()["problems"]
    if not problems:
        httpx.post(f"{server.url}/problems/cluster", json={}, timeout=300).raise_for_status()
        problems = httpx.get(f"{server.url}/problems").json()["problems"]
    assert problems
    return problems


def test_the_first_result_is_in_view_without_scrolling(
    screen: tuple[str, Page], served: Server, measurements: list[str]
) -> None:
    name, page = screen
    open_page(page, served.url + FIRST_RESULT_QUERY)
    page.wait_for_selector("#results[data-state=results]")
    title = box(page, "#results .hit .hit-title")
    assert page.evaluate("window.scrollY") == 0
    assert in_window(page, title), f"the first result's title is at {title} in a {SCREENS[name]} window"
    toggle = page.locator("#filters-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#filters")).to_be_hidden()
    measurements.append(
        f"web page ({name} {SCREENS[name]['width']}×{SCREENS[name]['height']}): first result's title at y = {title['top']:.0f}–{title['bottom']:.0f} px"
    )
    screenshot(page, f"search-{name}", full_page=False)

    # Folded filters still say what they do, and the URL keeps them as before.
    open_page(page, served.url + FIRST_RESULT_QUERY + "&kind=appeal&region=Полтавська")
    page.wait_for_selector("#results[data-state=results]")
    expect(toggle).to_contain_text("Фільтри: Звернення громадян · Полтавська")
    toggle.click()
    expect(page.locator("#filters")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#kind")).to_have_value("appeal")
    page.select_option("#kind", "transcript")
    page.press("#q", "Enter")
    page.wait_for_selector("#results[data-state=results]")
    assert query_of(page.url)["kind"] == "transcript"


def test_a_long_law_article_opens_under_its_title_and_tab_goes_to_its_buttons(
    screen: tuple[str, Page], served: Server
) -> None:
    name, page = screen
    # The article of the law on local self-government furthest into its text: a long document.
    hits = httpx.get(
        f"{served.url}/search", params={"q": "повноваження ради", "kind": "legislation", "k": 20}
    ).json()["hits"]
    hit = max(hits, key=lambda found: found["start"])
    open_page(page, f"{served.url}{source_url(hit)}")
    expect(page.locator("#cited-span")).to_have_text(hit["text"], use_inner_text=False)
    window_height = page.evaluate("window.innerHeight")
    text_height = page.locator(".source-text").evaluate("e => e.scrollHeight")
    assert text_height > 2 * window_height, "the document is longer than two windows"

    title, facts, span = (
        box(page, ".source-meta h1"),
        box(page, ".source-meta .metadata"),
        box(page, "#cited-span"),
    )
    assert in_window(page, title) and in_window(page, facts), (title, facts)
    assert 0 <= span["top"] < window_height, span
    panel = box(page, ".source-text-panel")
    if name == "phone":
        assert facts["bottom"] <= panel["top"], "the metadata stands above the text"
    else:
        assert facts["right"] <= panel["left"], "the metadata stands beside the text"
    screenshot(page, f"source-long-article-{name}", full_page=False)

    # The keyboard starts at the cited span; Tab goes to the buttons beside it, not back to the header.
    assert page.evaluate("document.activeElement.id") == "cited-span"
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("+ До звіту")
    assert in_window(page, box(page, ":focus"))
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Копіювати цитату")


def source_url(hit: dict[str, object]) -> str:
    """The page's address of a hit's source at the cited span (router.js sourceUrl)."""
    return f"/?view=source&doc={hit['doc_id']}&start={hit['start']}&end={hit['end']}&chunk={hit['chunk_id']}"


def test_chart_labels_are_readable_at_both_widths(
    screen: tuple[str, Page], served: Server, measurements: list[str]
) -> None:
    name, page = screen
    problems = with_problems(served)
    sizes = []
    for url in ("/?view=problems", f"/?view=problem&id={problems[0]['id']}"):
        open_page(page, served.url + url)
        page.wait_for_selector(".trend-figure")
        labels = page.locator(".trend-figure .tick").evaluate_all(
            "ticks => ticks.filter(t => t.offsetParent).map(t => { const r = t.getBoundingClientRect();"
            " return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize), height: r.height,"
            " left: r.left, right: r.right, month: t.classList.contains('month-tick')}; })"
        )
        figure = box(page, ".trend-figure")
        months = sorted((label for label in labels if label["month"]), key=lambda label: label["left"])
        assert len(months) >= 2 and all(label["size"] >= LEAST_LABEL_PX for label in labels), labels
        assert all(label["height"] >= LEAST_LABEL_PX for label in labels), labels
        assert all(left["right"] <= right["left"] for left, right in itertools.pairwise(months)), (
            "labels overlap"
        )
        assert figure["left"] <= months[0]["left"] and months[-1]["right"] <= figure["right"]
        sizes += [label["size"] for label in labels]
    screenshot(page, f"problem-chart-{name}")
    measurements.append(
        f"web page ({name}): chart labels {min(sizes):.1f}–{max(sizes):.1f} px high (font size)"
    )


def test_a_keyboard_reaches_the_first_result_in_few_tabs(
    screen: tuple[str, Page], served: Server, measurements: list[str]
) -> None:
    name, page = screen
    open_page(page, served.url + FIRST_RESULT_QUERY)
    page.wait_for_selector("#results[data-state=results]")
    first_hit = "document.activeElement.closest('.hit') === document.querySelector('#results .hit')"

    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Перейти до результатів")
    assert in_window(page, box(page, ":focus"))
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(first_hit), page.evaluate("document.activeElement.outerHTML")
    assert page.url.endswith(FIRST_RESULT_QUERY.removeprefix("/")) or "#" not in page.url

    def tabs_until_first_hit(start: str | None) -> int:
        open_page(page, served.url + FIRST_RESULT_QUERY)
        page.wait_for_selector("#results[data-state=results]")
        if start:
            page.focus(start)
        for count in range(1, 60):
            page.keyboard.press("Tab")
            if page.evaluate(first_hit):
                return count
        raise AssertionError("Tab never reached the first result")

    from_query = tabs_until_first_hit("#q")
    from_top = tabs_until_first_hit(None)
    assert from_query <= 3
    measurements.append(
        f"web page ({name}): to the first result 2 Tabs and Enter by the skip link; {from_query} Tabs from "
        f"the query field; {from_top} Tabs from the top without the skip link"
    )


def test_the_brief_button_downloads_the_cited_docx(page: Page, served: Server, tmp_path: Path) -> None:
    problem = with_problems(served)[0]
    open_page(page, f"{served.url}/?view=problem&id={problem['id']}")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Завантажити довідку (DOCX)").click()
    path = tmp_path / "brief.docx"
    download_info.value.save_as(path)
    expect(page.locator(".brief-status")).to_contain_text(f"brief-{problem['id']}.docx")
    brief = httpx.get(
        f"{served.url}/problems/{problem['id']}/brief", params={"format": "json"}, timeout=300
    ).json()
    quoted = [*(e for name in ("statements", "legislation", "proposals", "cases") for e in brief[name])]
    quoted += [partner["excerpt"] for partner in brief["partners"]]
    word = Document(str(path))
    assert word.paragraphs[0].text.startswith(f"Довідка: «{problem['label']}» — ")
    assert footnotes(word) == {excerpt["number"]: f"{excerpt['citation']}." for excerpt in quoted}
    screenshot(page, "problem-brief-button")
