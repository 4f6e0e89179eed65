"""Language check: non-Russian text gets a warning and no frame, Russian text of any length passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framing.cli import main
from framing.language import LanguageCounts, judge

# Written for these tests; each talks about partnership, sovereignty or language in its own language,
# so that the Russian lexicons and model find something to fire on if the language gate were missing.
NON_RUSSIAN = {
    "en": "The two governments signed a strategic partnership agreement on Tuesday. Both sides promised to defend "
    "their sovereignty and territorial integrity, to expand trade within the Eurasian Economic Union and BRICS, "
    "and to protect the status of the Russian language in schools.",
    "kk": "Қазақстан мен Ресей стратегиялық әріптестік туралы декларацияға қол қойды. Тараптар егемендік пен "
    "аумақтық тұтастықты құрметтейтінін мәлімдеді. Мектептерде мемлекеттік тілдің мәртебесі нығая түседі, "
    "ал орыс тілі ресми тіл ретінде сақталады. БРИКС және ШЫҰ аясындағы ынтымақтастық кеңейеді.",
    "uk": "Україна та Польща підписали декларацію про стратегічне партнерство і союзництво. Сторони заявили про "
    "повагу до суверенітету й територіальної цілісності, а також про підтримку державної мови в школах. "
    "Міністри домовилися розширити торгівлю та інвестиції.",
    "be": "Урад Беларусі абвясціў пра стратэгічнае партнёрства з суседзямі і пашырэнне гандлю. Міністр заявіў, "
    "што беларуская мова ў школах атрымае новую падтрымку, а суверэнітэт краіны застанецца непарушным.",
}


@pytest.mark.parametrize("code", sorted(NON_RUSSIAN))
def test_non_russian_text_claims_no_frame_and_warns(combined_analyzer, code):
    analysis = combined_analyzer.analyze(NON_RUSSIAN[code])
    assert analysis.language == code
    assert analysis.russian_share < 0.5
    assert analysis.dominant is None
    assert not any(f.present for f in analysis.frames)
    assert analysis.warnings and "not Russian" in analysis.warnings[0]


@pytest.mark.parametrize("code", ["be"])
def test_gate_is_what_stops_the_frames(combined_analyzer, code):
    """Without the gate this sample would be coded: Belarusian cognates («мова», «суверэнітэт») reach the
    components and the document model would call a frame present. (The English and Kazakh samples no longer
    get that far: since 0.2 one lexicon hit in a short text is not enough for the document model.)"""
    from framing.decision import decide

    analysis = combined_analyzer.analyze(NON_RUSSIAN[code])
    ungated = [decide(combined_analyzer.model.document, "combined", f.id, f.lexicon, f.classifier, analysis.tokens)
               for f in analysis.frames]
    assert any(score >= threshold for score, threshold in ungated), ungated


def test_cli_warns_in_report_json_and_stderr(runner, tmp_path):
    path = tmp_path / "kk.txt"
    path.write_text(NON_RUSSIAN["kk"], encoding="utf-8")
    result = runner.invoke(main, ["analyze", str(path), "--format", "json"])
    assert result.exit_code == 0
    warning_lines = [line for line in result.output.splitlines() if line.startswith("framing: warning:")]
    assert warning_lines and str(path) in warning_lines[0] and "Kazakh" in warning_lines[0]
    record = json.loads(result.output[result.output.index("{"): result.output.rindex("}") + 1])
    assert record["language"] == "kk" and record["dominant"] is None and record["warnings"]
    report = runner.invoke(main, ["analyze", str(path)])
    assert "warning" in report.output and "not Russian" in report.output


@pytest.mark.parametrize(
    "text",
    [
        "Токаев и Путин обсудили ЕАЭС",
        "Лавров: Запад давит на Белград",
        "Минпросвещения: русский язык в школах Киргизии",
        "«Росатом» и Узбекистан: АЭС к 2030 г.",
    ],
)
def test_short_russian_texts_with_names_pass(combined_analyzer, text):
    analysis = combined_analyzer.analyze(text)
    assert analysis.language == "ru" and not analysis.warnings


@pytest.mark.parametrize(
    "text",
    [
        # Kazakh spellings of names (found in review: whole words with қ used to outvote the Russian ones)
        "Президент Тоқаев принял в Ақорде делегацию России. Стороны обсудили стратегическое партнерство и "
        "союзничество двух стран, рост товарооборота и совместные проекты. Ақорда готова расширять сотрудничество в "
        "ЕАЭС.",
        "Ақорда: Токаев и Путин обсудили партнерство.",
        # soft hyphens and stress marks, as HTML pages and textbooks carry them
        "Россия и Ка\u00adзах\u00adстан ук\u00adреп\u00adляют стра\u00adте\u00adги\u00adчес\u00adкое "
        "парт\u00adнер\u00adство, "
        "за\u00adяви\u00adли ли\u00adде\u00adры двух стран на встре\u00adче в Моск\u00adве.",
        "Росси\u0301я и Казахста\u0301н укрепля\u0301ют стратеги\u0301ческое партнё\u0301рство, заяви\u0301ли "
        "ли\u0301деры двух стран.",
        # Latin-script names do not count against a Russian text
        "Путин и Токаев обсудили Astana International Forum и Belt and Road Initiative.",
    ],
)
def test_russian_with_foreign_names_or_marks_stays_russian(combined_analyzer, text):
    analysis = combined_analyzer.analyze(text)
    assert analysis.language == "ru" and not analysis.warnings, (analysis.language, analysis.russian_share)


def test_russian_article_quoting_a_few_ukrainian_words_stays_russian(combined_analyzer, seed_text):
    analysis = combined_analyzer.analyze(seed_text + "\nНа плакате было написано по-украински: «Ласкаво просимо».")
    assert analysis.language == "ru" and analysis.dominant == "partnership"


def test_mostly_symbols_is_not_text(combined_analyzer):
    analysis = combined_analyzer.analyze("12 345 — 67,8 % ++ 2024-01-01 ## 99 / 100 ** 3.14 = ?! 42 42 42")
    assert analysis.language == "unknown" and analysis.dominant is None and analysis.warnings


def test_threshold_is_applied_to_longer_texts():
    low = LanguageCounts(words=40, russian=20, cyrillic=40, letters=300, non_space=320)
    high = LanguageCounts(words=40, russian=30, cyrillic=40, letters=300, non_space=320)
    assert not judge(low).is_russian and judge(high).is_russian
    short = LanguageCounts(words=6, russian=3, cyrillic=6, letters=40, non_space=45)
    assert judge(short).is_russian  # a headline of names is judged by its letters


def test_batch_counts_non_russian_documents(runner, tmp_path, seed_text):
    (tmp_path / "ru.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "en.txt").write_text(NON_RUSSIAN["en"], encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        main, ["batch", str(tmp_path / "ru.txt"), str(tmp_path / "en.txt"), "-o", str(out), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output  # a warning is not a failure
    records = {r["source"].rsplit("/", 1)[-1]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert records["en.txt"]["language"] == "en" and records["en.txt"]["dominant"] is None
    assert records["ru.txt"]["language"] == "ru" and records["ru.txt"]["dominant"] == "partnership"
    assert "1 not Russian" in result.output


def test_csv_output_carries_language_and_summarize_counts_it(runner, tmp_path, seed_text):
    (tmp_path / "ru.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "kk.txt").write_text(NON_RUSSIAN["kk"], encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(
        main,
        ["batch", str(tmp_path / "ru.txt"), str(tmp_path / "kk.txt"), "-o", str(out), "--format", "csv", "--jobs", "1"],
    )
    assert result.exit_code == 0, result.output
    import csv

    rows = {Path(r["source"]).name: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["kk.txt"]["language"] == "kk" and rows["ru.txt"]["language"] == "ru"
    summary = runner.invoke(main, ["summarize", str(out)])
    assert summary.exit_code == 0, summary.output
    assert "1 not Russian" in summary.output and "1 not Russian" in result.output


def test_russian_letters_fast_path_agrees_with_the_general_steps():
    """`_classify` answers all-Russian-letter forms directly; on real forms, known to the dictionary and not, that is
    what the general steps give."""
    from framing.language import RUSSIAN, RUSSIAN_LETTERS, LanguageCounter
    from framing.nlp import load_pipeline, shared_morph
    from framing.normalize import normalize

    counter = LanguageCounter(shared_morph())
    seed = (Path(__file__).parents[1] / "seeds" / "000_0281386bebb0d4b9.txt").read_text(encoding="utf-8")
    doc = load_pipeline()(normalize(seed + " Жээнбеков и Ёлкин пришли. Їжак, Astana, 2018-м"))
    forms = {t.text.lower() for t in doc if t.text[0].isalnum()}
    russian = [form for form in forms if RUSSIAN_LETTERS.issuperset(form)]
    assert len(russian) > 300 and len(forms) > len(russian)
    kinds = set()
    for form in sorted(forms):
        info = counter._classify(form)
        assert info == counter._classify_plain(form), form
        kinds.add(info.kind)
    assert RUSSIAN in kinds and len(kinds) >= 3
