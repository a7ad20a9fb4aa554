"""The search page in a real browser: Debian's headless chromium driven by selenium over a
uvicorn server (a thread, a free loopback port) serving an index of seeds/ and the hostile
document. One browser for the module; each test starts without cookies.

Skips (one line) only when the chromium or chromedriver binaries are missing; .ci/run installs
them (``apt-get install -y chromium chromium-driver``). Selenium is pointed at
/usr/bin/chromedriver: it never downloads a driver.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("selenium")


def _binary(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or (
            f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None
        )
        if found:
            return found
    return None


CHROMIUM = _binary("chromium", "chromium-browser")
CHROMEDRIVER = _binary("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip(
        "no chromium/chromedriver binaries (apt-get install -y chromium chromium-driver)",
        allow_module_level=True,
    )

import uvicorn  # noqa: E402
from page_index import (  # noqa: E402
    ES_TWIN_ID,
    ES_TWIN_TITLE,
    HOSTILE,
    HOSTILE_ID,
    SAMPLE_TITLE,
    build_page_index,
    page_app,
)
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoAlertPresentException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.heavy  # a browser and a server: seconds

WAIT_S = 20  # how long a page may take to appear (a wait, not an assertion on speed)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The page served by uvicorn on a free loopback port; its base URL."""
    app = page_app(build_page_index(tmp_path_factory.mktemp("browser") / "idx"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(400):
            if srv.started or not thread.is_alive():
                break
            threading.Event().wait(0.05)
        assert srv.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--lang=en-US",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser: webdriver.Chrome, server: str) -> webdriver.Chrome:
    """The browser on the empty search page, without cookies (English interface)."""
    browser.get(server + "/")
    browser.delete_all_cookies()
    browser.get(server + "/")
    return browser


def next_page(driver: webdriver.Chrome, act: Callable[[], None]) -> None:
    """Do ``act`` (a click, a key) and wait until the next page has replaced this one and is
    loaded. The old page is marked with a window property, not held as an element: asked about
    an element of a replaced document, chromedriver may answer "node does not belong to the
    document" instead of a stale-element error, which ``staleness_of`` does not expect."""
    driver.execute_script("window.searchlibOldPage = true")
    act()
    WebDriverWait(driver, WAIT_S, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(
            "return window.searchlibOldPage !== true && document.readyState === 'complete'"
        )
    )


def follow(driver: webdriver.Chrome, element: WebElement) -> None:
    """Click a link and wait for the next page."""
    next_page(driver, element.click)


def submit_with_keyboard(driver: webdriver.Chrome, text: str) -> None:
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text)
    next_page(driver, lambda: box.send_keys(Keys.ENTER))


def titles(driver: webdriver.Chrome) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#results article.hit h3 a")]


def no_alert(driver: webdriver.Chrome) -> bool:
    """True when no alert is open (an alert fails the test, with its text)."""
    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        return True
    raise AssertionError(f"the page opened an alert: {text!r}")


def test_a_spanish_query_typed_with_the_keyboard_leads_to_the_english_brief(
    page: webdriver.Chrome,
) -> None:
    # the first Tab reaches the skip link; the box takes the query; Enter sends the form
    page.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    skip = page.switch_to.active_element
    assert skip.text == "Skip to content" and skip.get_attribute("href").endswith("#main")
    # visible once focused, with the focus outline
    assert skip.is_displayed() and skip.location["x"] >= 0
    assert skip.value_of_css_property("outline-style") == "solid"
    assert skip.value_of_css_property("outline-width") == "3px"
    submit_with_keyboard(page, "cooperación antidrogas")
    assert page.find_element(By.ID, "count").text == "1 result, showing 1 to 1"
    assert titles(page) == [ES_TWIN_TITLE]  # the story once, in the query's language
    twin = page.find_element(By.CSS_SELECTOR, "#results a.twin")
    assert twin.text == "Also in English" and twin.get_attribute("lang") == "en"
    follow(page, twin)
    assert page.find_element(By.ID, "doc-title").text == SAMPLE_TITLE
    assert page.find_element(By.CSS_SELECTOR, "article.document").get_attribute("lang") == "en"

    # the same query, English documents only (the query syntax's filter, typed)
    submit_with_keyboard(page, "cooperación antidrogas lang:en")
    assert titles(page) == [SAMPLE_TITLE]
    twin = page.find_element(By.CSS_SELECTOR, "#results a.twin")
    assert twin.text == "También en español" and twin.get_attribute("lang") == "es"


def test_a_facet_filters_and_its_filter_is_removed(
    page: webdriver.Chrome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    submit_with_keyboard(page, "Peru")
    assert page.find_element(By.ID, "count").text == "4 results, showing 1 to 4"
    everything = titles(page)
    facet = page.find_element(
        By.XPATH, '//a[@class="facet" and @data-param="kind" and text()="Brief"]'
    )
    follow(page, facet)
    assert titles(page) == [HOSTILE.title, SAMPLE_TITLE]
    assert page.find_element(By.ID, "count").text == "2 results, showing 1 to 2"
    active = page.find_element(By.CSS_SELECTOR, "section.active li")
    assert active.text.startswith("Kind: Brief")
    shot = tmp_path / "results.png"
    assert page.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with capsys.disabled():  # in the log even when pytest captures output
        print(f"\nscreenshot of a results page: {shot}")
    remove = active.find_element(By.CSS_SELECTOR, "a.remove")
    assert remove.accessible_name == "Remove the filter: Kind Brief"
    follow(page, remove)
    assert titles(page) == everything


def test_related_items_open_with_their_reasons(page: webdriver.Chrome) -> None:
    submit_with_keyboard(page, "Humala")
    link = page.find_element(By.CSS_SELECTOR, "#results li:first-child a.related")
    assert link.accessible_name == f"Related items: {SAMPLE_TITLE}"
    follow(page, link)
    assert page.find_element(By.ID, "doc-title").text == SAMPLE_TITLE
    items = page.find_elements(By.CSS_SELECTOR, "#related article.hit")
    assert [i.find_element(By.CSS_SELECTOR, "h3 a").text for i in items[:2]] == [
        ES_TWIN_TITLE,
        "Failing prison systems and entrenched corruption mean mega-prisons holding tens…",
    ]
    assert [i.find_element(By.CSS_SELECTOR, "p.reason").text for i in items[:2]] == [
        "Why: the same story in the other language",
        "Why: shown on its page",
    ]
    assert items[0].get_attribute("lang") == "es"
    follow(page, items[0].find_element(By.CSS_SELECTOR, "h3 a"))
    assert page.current_url.endswith(f"/doc/{ES_TWIN_ID}")


def test_the_interface_language_switches_and_stays(page: webdriver.Chrome, server: str) -> None:
    submit_with_keyboard(page, "Peru")
    switch = page.find_element(By.ID, "ui-switch")
    assert switch.text == "Español"
    follow(page, switch)
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert page.find_element(By.CSS_SELECTOR, "form.search button").text == "Buscar"
    assert page.find_element(By.ID, "count").text == "4 resultados, del 1 al 4"
    assert page.find_element(By.ID, "facets-h").text == "Afinar los resultados"
    page.get(server + "/?q=coca")  # the cookie keeps the choice
    assert page.find_element(By.CSS_SELECTOR, "label[for=q]").text.startswith("Buscar en el")
    follow(page, page.find_element(By.ID, "ui-switch"))
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert page.find_element(By.CSS_SELECTOR, "form.search button").text == "Search"


def test_the_hostile_document_shows_as_text(page: webdriver.Chrome, server: str) -> None:
    submit_with_keyboard(page, "coca")
    assert no_alert(page)
    assert page.find_elements(By.TAG_NAME, "script") == []
    hostile = page.find_element(By.CSS_SELECTOR, f'#results a[href="/doc/{HOSTILE_ID}"]')
    assert hostile.text == HOSTILE.title
    snippet = page.find_element(By.CSS_SELECTOR, "#results li:first-child p.snippet").text
    assert "<script>alert(1)</script> and <img src=x onerror=alert(2)>" in snippet
    follow(page, hostile)
    assert no_alert(page)
    assert page.find_element(By.ID, "doc-title").text == HOSTILE.title
    body = page.find_element(By.CSS_SELECTOR, "article.document > p").text
    assert body == HOSTILE.body[0]
    assert page.find_elements(By.TAG_NAME, "script") == []
    assert page.find_elements(By.TAG_NAME, "img") == []
    assert page.find_elements(By.CSS_SELECTOR, 'a[href^="javascript"]') == []
