"""Lexicon data: matching across morphology, disambiguation rules, quality on the sentence sets, checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from framing.analyzer import Analyzer
from framing.cli import main
from framing.evaluate import lexicon_sentence_eval
from framing.lexicon import builtin_lexicon_dir, check_lexicon_set, load_lexicon_set

ROOT = Path(__file__).resolve().parent.parent


def weighted(analyzer: Analyzer, text: str, frame: str) -> float:
    return analyzer.analyze(text).frame(frame).lexicon.weighted


def test_multiword_terms_match_in_every_case(lexicon_analyzer):
    forms = [
        "Стороны говорят о стратегическом партнёрстве.",
        "Стороны объявили о переходе к стратегическому партнерству.",
        "Отношения стратегического партнерства укрепляются.",
        "Москва считает Астану стратегическим партнёром.",
    ]
    for text in forms:
        assert weighted(lexicon_analyzer, text, "partnership") >= 0.5, text


def test_yo_and_e_spellings_score_the_same(lexicon_analyzer):
    with_yo = "Страны подтвердили курс на всеобъемлющее партнёрство и союзничество."
    with_e = with_yo.replace("ё", "е")
    assert weighted(lexicon_analyzer, with_yo, "partnership") == weighted(lexicon_analyzer, with_e, "partnership") > 0


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("Банк подписал соглашение со своим давним деловым партнером, сетью супермаркетов.", "partnership"),
        ("На юге России ожидается сильная жара, на юге страны объявлено штормовое предупреждение.", "global_south"),
        ("Курсы по языку программирования Python набирают популярность среди школьников.", "language_policy"),
        ("Врач осмотрел язык пациента и назначил лечение.", "language_policy"),
        ("Суверенный фонд Норвегии увеличил вложения в облигации.", "sovereignty"),
    ],
)
def test_hard_negatives_do_not_count(lexicon_analyzer, text, frame):
    assert weighted(lexicon_analyzer, text, frame) < 0.5


def test_sentence_sets_meet_precision_and_recall():
    results = lexicon_sentence_eval(ROOT / "tests" / "data" / "sentences")
    assert set(results) == {"partnership", "sovereignty", "global_south", "language_policy"}
    for frame, metrics in results.items():
        assert metrics["support"] >= 40 and metrics["negatives"] >= 40, frame
        assert metrics["precision"] >= 0.85, (frame, metrics["precision"])
        assert metrics["recall"] >= 0.70, (frame, metrics["recall"])


def test_shipped_lexicons_are_curated():
    lexicons = load_lexicon_set()
    assert lexicons.ids == ["partnership", "sovereignty", "global_south", "language_policy"]
    for frame in lexicons.frames:
        assert len(frame.terms) >= 80, frame.id
        assert sum(1 for t in frame.terms if len(t.words) > 1) >= 25, frame.id
        assert frame.definition and frame.label_ru and frame.label_en


def test_shipped_set_passes_check(runner):
    _, problems = check_lexicon_set()
    assert [str(p) for p in problems if p.severity == "error"] == []
    result = runner.invoke(main, ["lexicon", "check"])
    assert result.exit_code == 0, result.output


def write_set(tmp_path: Path, body: str, name: str = "demo.toml") -> Path:
    folder = tmp_path / "set"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('frame = "demo"\n\n[[terms]]\nlemma = "союз\nweight = 1.0\n', 4, "invalid TOML"),
        ('frame = "demo"\n\n[[terms]]\nlemma = "союз"\nweight = "high"\n', 5, "'weight' must be a number"),
        ('frame = "demo"\n\n[[terms]]\nlemma = "союз"\nweight = 1.5\n', 5, "out of range"),
        (
            'frame = "demo"\n[[terms]]\nlemma = "союз"\nweight = 0.5\n\n[[terms]]\nlemma = "союз"\nweight = 0.7\n',
            6,
            "duplicate term 'союз'",
        ),
        (
            'frame = "demo"\n[[terms]]\nlemma = "союз"\nweight = 0.5\n[[terms]]\nlemma = "стратегического '
            'партнерства"\nweight = 0.7\n',
            5,
            "not a lemma",
        ),
    ],
)
def test_check_reports_file_and_line(runner, tmp_path, body, line, message):
    folder = write_set(tmp_path, body)
    result = runner.invoke(main, ["lexicon", "check", str(folder)])
    assert result.exit_code == 1
    assert f"demo.toml:{line}:" in result.output
    assert message in result.output


def test_duplicate_across_frames_is_reported(runner, tmp_path):
    write_set(tmp_path, 'frame = "one"\n[[terms]]\nlemma = "союз"\nweight = 0.5\n', "one.toml")
    folder = write_set(tmp_path, 'frame = "two"\n[[terms]]\nlemma = "союз"\nweight = 0.5\n', "two.toml")
    result = runner.invoke(main, ["lexicon", "check", str(folder)])
    assert result.exit_code == 1
    assert "two.toml:2:" in result.output and "also in frame 'one'" in result.output


def test_broken_lexicon_stops_analyze_with_one_line(runner, tmp_path):
    folder = write_set(tmp_path, 'frame = "demo"\n[[terms]]\nlemma = 42\nweight = 0.5\n')
    text = tmp_path / "a.txt"
    text.write_text("Россия и Казахстан укрепляют союз.", encoding="utf-8")
    result = runner.invoke(main, ["analyze", str(text), "--lexicons", str(folder)])
    assert result.exit_code == 1
    assert "demo.toml:3: 'lemma' must be a non-empty string" in result.output
    assert "Traceback" not in result.output


def test_custom_set_with_fifth_frame_works_end_to_end(runner, tmp_path):
    folder = ROOT / "examples" / "lexicons_custom"  # `extends = "builtin"` + energy.toml
    lexicons = load_lexicon_set(folder)
    assert "energy" in lexicons.ids and len(lexicons.ids) == 5
    text = tmp_path / "energy.txt"
    text.write_text(
        "Росатом и Узбекистан договорились о строительстве атомной электростанции малой мощности. "
        "Поставки газа по трубопроводу вырастут, а нефтяные компании увеличат добычу.",
        encoding="utf-8",
    )
    result = runner.invoke(
        main, ["analyze", str(text), "--lexicons", str(folder), "--mode", "lexicon", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.output)
    energy = next(f for f in data["frames"] if f["id"] == "energy")
    assert energy["present"] and data["dominant"] == "energy"
    assert [f["id"] for f in data["frames"] if f["id"] != "energy"] and energy["label"] == "Энергетика"


def test_copied_set_with_extra_file_also_works(tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(builtin_lexicon_dir(), folder)
    shutil.copy(ROOT / "examples" / "lexicons_custom" / "energy.toml", folder)
    assert load_lexicon_set(folder).ids == ["partnership", "sovereignty", "global_south", "language_policy", "energy"]


def test_extends_must_name_a_set(tmp_path):
    folder = write_set(tmp_path, 'extends = "no-such-folder"\n', "codebook.toml")
    _, problems = check_lexicon_set(folder)
    assert any("no such lexicon folder" in str(p) for p in problems)


def test_builtin_dir_is_found():
    assert (builtin_lexicon_dir() / "codebook.toml").exists()


def test_lexicon_list_and_show(runner):
    listed = runner.invoke(main, ["lexicon", "list"])
    assert listed.exit_code == 0 and "global_south" in listed.output
    shown = runner.invoke(main, ["lexicon", "show", "sovereignty"])
    assert shown.exit_code == 0 and "территориальный целостность" in shown.output
    missing = runner.invoke(main, ["lexicon", "show", "nonexistent"])
    assert missing.exit_code == 1 and "no frame 'nonexistent'" in missing.output


def test_longest_overlapping_term_wins(tmp_path):
    folder = write_set(
        tmp_path,
        'frame = "demo"\n[[terms]]\nlemma = "новый уровень"\nweight = 0.3\n'
        '[[terms]]\nlemma = "уровень стратегический партнерство"\nweight = 1.0\n',
    )
    analyzer = Analyzer(lexicons=folder, mode="lexicon")
    terms = [
        t.lemma
        for t in analyzer.analyze("Стороны вышли на новый уровень стратегического партнёрства.").frame("demo").terms
    ]
    assert terms == ["уровень стратегический партнерство"]
