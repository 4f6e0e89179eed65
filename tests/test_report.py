"""`framing analyze --html`: content of the page, highlights at the analysis' offsets, offline and error-free in
Chromium."""

from __future__ import annotations

import html
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from framing.cli import main
from framing.html_report import article_start, html_report

from .browser import WINDOW, png_size, render_offline
from .conftest import ROOT, SEED

KINDS = ("term", "evidence", "classifier")


class ArticleSegments(HTMLParser):
    """The pieces of text inside <div class="article">: (offset, text, {kind: frames}) per piece."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # >0 while inside the article div
        self.start: int | None = None
        self.current: dict | None = None
        self.pieces: list[tuple[int | None, str, dict[str, set[str]]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("class") == "article":
            self.depth, self.start = 1, int(attrs["data-start"])
        elif self.depth and tag == "span":
            self.current = {
                "at": int(attrs["data-at"]),
                "frames": {kind: set(attrs.get(f"data-{kind}", "").split()) for kind in KINDS},
            }
            assert set(attrs["class"].split()) == {kind for kind, frames in self.current["frames"].items() if frames}
        elif self.depth and tag == "div":
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth and tag == "span":
            self.current = None
        elif self.depth and tag == "div":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            c = self.current
            self.pieces.append((c["at"], data, c["frames"]) if c else (None, data, {}))


def covered(pieces, kind: str, frame: str) -> set[int]:
    """Text offsets the page marks as `kind` for `frame`."""
    return {i for at, text, frames in pieces if frame in frames.get(kind, ()) for i in range(at, at + len(text))}


def spans(ranges) -> set[int]:
    return {i for start, stop in ranges for i in range(start, stop)}


@pytest.fixture(scope="module")
def seed_analysis(combined_analyzer, seed_text):
    return combined_analyzer.analyze(seed_text, source=str(SEED))


@pytest.fixture(scope="module")
def seed_page(seed_analysis, combined_analyzer) -> str:
    return html_report(seed_analysis, combined_analyzer.lexicons.frames)


def test_page_has_frames_scores_components_and_codebook(seed_page, seed_analysis, combined_analyzer):
    assert "2025-11-12" in seed_page and html.escape(str(SEED)) in seed_page
    for frame in seed_analysis.frames:
        assert f'data-frame="{frame.id}"' in seed_page and html.escape(frame.label) in seed_page
        assert f"<td>{frame.score:.2f}</td>" in seed_page and f"<td>{frame.lexicon.per_1k:.1f}</td>" in seed_page
        assert f"<td>{frame.classifier.score:.2f}</td>" in seed_page
        for term in frame.terms:
            assert f"{html.escape(term.lemma)} ×{term.count}" in seed_page
    for frame in combined_analyzer.lexicons.frames:  # the codebook: definitions and coding rules
        assert html.escape(frame.definition) in seed_page
        assert all(html.escape(rule) in seed_page for rule in frame.includes + frame.excludes)
    dominant = seed_analysis.frame(seed_analysis.dominant)
    assert f"<b>{html.escape(dominant.label)}</b>" in seed_page


def test_page_is_self_contained(seed_page):
    assert "http://" not in seed_page and "https://" not in seed_page
    assert "<script" not in seed_page and "<link" not in seed_page and " src=" not in seed_page
    assert "default-src 'none'" in seed_page  # the browser refuses any fetch even if the text held a URL


def test_highlights_are_exactly_the_matched_terms_and_sentences(seed_page, seed_analysis):
    parser = ArticleSegments()
    parser.feed(seed_page)
    text = seed_analysis.text
    assert parser.start == article_start(text) > 0  # the date header is not part of the article
    assert "".join(piece for _, piece, _ in parser.pieces) == text[parser.start :]
    for at, piece, _ in parser.pieces:
        if at is not None:
            assert text[at : at + len(piece)] == piece
    kinds_seen = set()
    for frame in seed_analysis.frames:
        terms = spans((h.span.start, h.span.stop) for h in frame.matches)
        evidence = spans((e.span.start, e.span.stop) for e in frame.evidence)
        lonely = spans((e.span.start, e.span.stop) for e in frame.classifier_only)
        assert covered(parser.pieces, "term", frame.id) == terms, frame.id
        assert covered(parser.pieces, "evidence", frame.id) == evidence, frame.id
        assert covered(parser.pieces, "classifier", frame.id) == lonely, frame.id
        kinds_seen |= {
            kind for kind, found in (("term", terms), ("evidence", evidence), ("classifier", lonely)) if found
        }
    assert kinds_seen == {"term", "evidence", "classifier"}  # the seed exercises every kind of highlight
    partnership = seed_analysis.frame("partnership")
    assert any(text[h.span.start : h.span.stop].lower().startswith("стратегическ") for h in partnership.matches)


def test_markup_in_the_text_is_escaped(lexicon_analyzer):
    text = "Россия и <b>Казахстан</b> & <script>alert(1)</script> укрепляют стратегическое партнерство."
    analysis = lexicon_analyzer.analyze(text)
    page = html_report(analysis, lexicon_analyzer.lexicons.frames)
    assert "<script>" not in page and "&lt;script&gt;" in page
    parser = ArticleSegments()
    parser.feed(page)
    assert "".join(piece for _, piece, _ in parser.pieces) == text
    assert covered(parser.pieces, "term", "partnership") == spans(
        (h.span.start, h.span.stop) for h in analysis.frame("partnership").matches
    )


def test_cli_writes_html_beside_the_usual_output(runner, tmp_path):
    page = tmp_path / "report.html"
    result = runner.invoke(main, ["analyze", str(SEED), "--format", "json", "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert '"dominant": "partnership"' in result.output  # JSON still on stdout
    content = page.read_text(encoding="utf-8")
    assert content.startswith("<!doctype html>") and "Партнёрство" in content and "Codebook" in content


def test_cli_html_into_missing_folder_fails_first(runner, tmp_path):
    result = runner.invoke(main, ["analyze", str(SEED), "--html", str(tmp_path / "nope" / "r.html")])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert "Партнёрство" not in result.output  # stopped before the report


def test_analyze_never_imports_matplotlib(tmp_path):
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['framing', 'analyze', {str(SEED)!r}, '--mode', 'lexicon', '--html', "
        f"{str(tmp_path / 'r.html')!r}]\n"
        "try:\n    runpy.run_module('framing.cli', run_name='__main__')\nexcept SystemExit as exit:\n    assert not "
        "exit.code, exit.code\n"
        "assert 'matplotlib' not in sys.modules, 'analyze imported matplotlib'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r.html").stat().st_size > 10_000


def test_report_opens_offline_in_headless_chromium(seed_page, seed_analysis, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(seed_page, encoding="utf-8")
    rendered = render_offline(page, tmp_path / "shot.png", tmp_path / "profile")
    assert rendered.console_errors == []
    assert png_size(rendered.screenshot) == WINDOW
    for frame in seed_analysis.frames:
        assert frame.label in rendered.dom
    assert "Codebook" in rendered.dom and "http://" not in rendered.dom and "https://" not in rendered.dom


def test_page_shows_language_warning(combined_analyzer):
    from .test_language import NON_RUSSIAN

    page = html_report(combined_analyzer.analyze(NON_RUSSIAN["kk"]), combined_analyzer.lexicons.frames)
    assert "looks like Kazakh" in page and "no frame claimed" in page
