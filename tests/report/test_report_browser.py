"""The report in a real browser (headless Chromium, network off): charts drawn, XSS inert.

One report is written from synthetic tables with planted payloads in comments, a topic label,
customer ids and keywords; Chromium loads each page, runs its scripts, and the DOM is checked.
A control page that embeds the same payload raw proves the check would catch execution.
Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import ARTIFACTS, chromium_or_skip, dump_dom, screenshot
from report_synthetic import EVIL_CUSTOMER, PAYLOADS, synthetic_inputs

from textprofile.report import ldavis
from textprofile.report.data import build_report_data
from textprofile.report.render import write_report_folder
from textprofile.report.safe import customer_filename

pytestmark = pytest.mark.browser
TITLE_INDEX = "synth — interest topics"


@pytest.fixture(scope="module")
def chromium():
    return chromium_or_skip()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    s = synthetic_inputs(k=6, n_customers=40, n_comments=400)
    data = build_report_data(
        s["comments"], s["doc_topics"], s["topics"], interests=s["interests"], customers=s["customers"],
        segments=s["segments"], counts=s["counts"], name="synth", model_info={"engine": "tomotopy"})
    k = len(s["topics"])
    theta = s["doc_topics"][[f"topic_{t}" for t in range(k)]].to_numpy()
    labels = [t["label"] for t in s["topics"]]
    folder = tmp_path_factory.mktemp("browser") / "synth"
    cards = [s["cards"][c] for c in data["linked_customers"]]
    write_report_folder(folder, data, cards, lambda p: ldavis.write_ldavis(
        p, s["topic_word"], theta, s["doc_topics"]["n_tokens"].to_numpy(), s["vocab"],
        s["term_frequency"], labels, title="synth"))
    return {"folder": folder, "k": k, "data": data}


def _title(dom: str) -> str:
    return re.search(r"<title>(.*?)</title>", dom, re.DOTALL).group(1)


def _assert_inert(dom: str) -> None:
    assert "PWNED" not in _title(dom)
    assert not re.search(r"<body[^>]*data-pwned", dom)  # what the onerror payload would do
    assert not re.search(r"<img\b", dom)
    assert not re.search(r'<a\b[^>]*id="evil-link"', dom)
    assert not re.search(r'<a\b[^>]*href="javascript:', dom)
    assert not re.search(r"<textarea\b", dom)


def test_control_page_shows_the_check_catches_execution(chromium, tmp_path):
    page = tmp_path / "control.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>ok</title></head><body>"
                    + "".join(PAYLOADS[:3]) + "</body></html>", encoding="utf-8")
    dom = dump_dom(chromium, page)
    assert "PWNED" in _title(dom)
    assert re.search(r"<body[^>]*data-pwned", dom)
    assert re.search(r'<a\b[^>]*id="evil-link"', dom)
    with pytest.raises(AssertionError):
        _assert_inert(dom)


def test_index_charts_render_and_payloads_stay_text(chromium, report):
    page = report["folder"] / "index.html"
    dom = dump_dom(chromium, page)
    assert _title(dom) == TITLE_INDEX
    _assert_inert(dom)
    assert dom.count('<svg class="chart') >= 4 + report["k"]
    assert len(re.findall(r"<rect ", dom)) > report["k"] * 3
    # each payload is on the page as visible text (serialised escaped in the DOM)
    for text in ["&lt;script&gt;document.title='PWNED-script'", "&lt;img src=x onerror=",
                 "href=\"javascript:document.title='PWNED-link'\"&gt;click me&lt;/a&gt;",
                 "&lt;/textarea&gt;&lt;script&gt;", "&lt;/script&gt;&lt;script&gt;document.title='PWNED-json'"]:
        assert text.replace('"', "&quot;") in dom or text in dom, text
    assert "&lt;img src=x onerror=alert(1)&gt;/../客户" in dom  # the evil customer id, as link text
    assert f'href="customers/{customer_filename(EVIL_CUSTOMER)}"' in dom
    screenshot(chromium, page, ARTIFACTS / "report_index.png", "1280,2400")


def test_ldavis_draws_one_circle_per_topic_offline(chromium, report):
    page = report["folder"] / "ldavis.html"
    dom = dump_dom(chromium, page)
    k = report["k"]
    circles = re.findall(r'<circle[^>]*class="dot"[^>]*>', dom)
    assert len(circles) == k
    ids = sorted(re.search(r'id="ldavis_textprofile-topic(\d+)"', c).group(1) for c in circles)
    assert ids == sorted(str(i) for i in range(1, k + 1))
    numbers = re.findall(r'<text class="txt"[^>]*>(\d+)</text>', dom)
    assert sorted(numbers, key=int) == [str(i) for i in range(k)]  # model ids 0..K-1 on the circles
    _assert_inert(dom)
    assert "PWNED" not in _title(dom)
    screenshot(chromium, page, ARTIFACTS / "report_ldavis.png", "1300,1100")


def test_customer_card_page_is_inert(chromium, report):
    page = report["folder"] / "customers" / customer_filename(EVIL_CUSTOMER)
    dom = dump_dom(chromium, page)
    _assert_inert(dom)
    assert "&lt;script&gt;kw&lt;/script&gt;" in dom and '<svg class="chart' in dom
    screenshot(chromium, page, ARTIFACTS / "report_customer.png", "1000,900")


def test_artifacts_folder_is_ignored_by_git():
    gitignore = Path(__file__).resolve().parents[2] / ".gitignore"
    assert "tests/artifacts/" in gitignore.read_text(encoding="utf-8")
