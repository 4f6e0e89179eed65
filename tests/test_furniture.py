"""Page furniture (other stories' teasers on RT pages) is blanked before analysis, offsets kept."""

from __future__ import annotations

import json
from pathlib import Path

from framing.furniture import blank_furniture, furniture_spans

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
# A real RT article (test6, spent) on school admissions whose page carries a teaser on Latvia's education law.
ARTICLE = "rt6-0092"


def article_text(article_id: str) -> str:
    for line in (REAL / "test6.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] == article_id:
            return f"{row['title']}\n{row['text']}"
    raise KeyError(article_id)


def test_teaser_block_is_blanked_and_offsets_kept():
    text = article_text(ARTICLE)
    spans = furniture_spans(text)
    assert len(spans) == 1
    start, stop = spans[0]
    block = text[start:stop]
    assert block.strip().startswith("Также по теме") and "закон об образовании" in block and block.count("\n") == 2
    blanked = blank_furniture(text)
    assert len(blanked) == len(text) and blanked[:start] == text[:start] and blanked[stop:] == text[stop:]
    assert blanked[start:stop].strip() == "" and blanked[start:stop].count("\n") == 2


def test_text_without_furniture_is_returned_as_is():
    text = "Также по теме сказано многое.\nПрезидент заявил, что сотрудничество продолжится..."
    assert furniture_spans(text) == [] and blank_furniture(text) is text  # the marker must stand on its own line


def test_no_evidence_or_term_comes_from_a_teaser(combined_analyzer):
    text = article_text(ARTICLE)
    (start, stop), = furniture_spans(text)
    analysis = combined_analyzer.analyze(text)
    for frame in analysis.frames:
        for hit in frame.matches:
            assert hit.span.stop <= start or hit.span.start >= stop, (frame.id, hit.span)
        for evidence in frame.evidence:
            assert evidence.span.stop <= start or evidence.span.start >= stop, (frame.id, evidence.span)
    assert "закон о образование" not in {term.lemma for frame in analysis.frames for term in frame.terms}
    # the same as analysing the article with the block cut out by hand (offsets aside)
    cut = combined_analyzer.analyze(text[:start] + text[stop:])
    assert [(f.id, f.score) for f in cut.frames] == [(f.id, f.score) for f in analysis.frames]
