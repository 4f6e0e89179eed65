"""The real-article data (data/real/): what the validity claims rest on must stay what the README says it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framing.evaluate import load_gold

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
FRAMES = ["partnership", "sovereignty", "global_south", "language_policy"]
# locked splits drawn after the first one was spent
LATER_LOCKED = tuple(sorted(p.name for p in REAL.glob("test[0-9]*.jsonl")))  # test2 … test6, and any later one


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (REAL / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def dev() -> list[dict]:
    return rows("dev.jsonl")


@pytest.fixture(scope="module")
def test_split() -> list[dict]:
    return rows("test.jsonl")


def test_split_sizes_and_frame_support(dev, test_split):
    assert len(dev) >= 160 and len(test_split) >= 80
    everything = dev + test_split
    assert sum(max(r["codes"].values()) < 2 for r in everything) >= 80  # no frame present
    for frame in ["partnership", "sovereignty", "language_policy"]:
        assert sum(r["codes"][frame] >= 2 for r in everything) >= 40, frame
    # global_south: every corpus article with a Global South cue word was coded; 35 carry it (data/real/README.md)
    assert sum(r["codes"]["global_south"] >= 2 for r in everything) >= 30


def test_dev_and_test_never_share_an_article_and_sentences_come_from_dev_only(dev, test_split):
    test_ids = {r["id"] for r in test_split}
    for later in LATER_LOCKED:
        if (REAL / later).exists():
            ids = {r["id"] for r in rows(later)}
            assert not ids & test_ids
            test_ids |= ids
    assert not test_ids & {r["id"] for r in dev}
    sentence_articles = {r["article"] for r in rows("sentences.jsonl")}
    assert sentence_articles and not sentence_articles & test_ids
    assert sentence_articles <= {r["id"] for r in dev}


def test_codes_follow_the_codebook_scale_and_dominant_rule(dev, test_split):
    later = [r for name in LATER_LOCKED if (REAL / name).exists() for r in rows(name)]
    for r in dev + test_split + later:
        assert set(r["codes"]) == set(FRAMES) and all(v in (0, 1, 2, 3) for v in r["codes"].values()), r["id"]
        top = max(r["codes"].values())
        if top < 2:
            assert r["dominant"] == "none", r["id"]
        else:
            assert r["codes"][r["dominant"]] == top, r["id"]
        assert r["why"].strip(), r["id"]


def test_only_spent_splits_train_the_document_model(tmp_path):
    """A locked split joins the document model's data only once its one evaluation is recorded beside it."""
    from framing.train import spent_splits

    for name in ("dev.jsonl", "test.jsonl", "test2.jsonl", "test9.jsonl", "locked_test_result.json"):
        (tmp_path / name).write_text("{}\n", encoding="utf-8")
    (tmp_path / "locked_test9_result.json").write_text("{}\n", encoding="utf-8")
    assert [p.name for p in spent_splits(tmp_path)] == ["test.jsonl", "test9.jsonl"]
    in_repo = {p.name for p in spent_splits(REAL)}
    assert "test.jsonl" in in_repo and "dev.jsonl" not in in_repo


def test_gold_loader_reads_real_articles_with_their_headline(dev):
    articles = load_gold(REAL / "dev.jsonl", FRAMES)
    first = next(a for a in articles if a.id == dev[0]["id"])
    assert first.text.startswith(dev[0]["title"].strip()) and dev[0]["text"] in first.text


def test_agreement_report_covers_the_double_coded_articles():
    report = json.loads((REAL / "agreement.json").read_text(encoding="utf-8"))
    assert report["articles"] >= 80
    assert set(report["frames"]) == set(FRAMES)
    assert all(i in report["adjudicated"] for i in report["disagreements"])


def test_readme_real_news_table_is_generated_from_the_stored_results():
    """README numbers come from the model card and data/real/*_result.json, not from typing them."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parent.parent / "scripts" / "readme_tables.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
