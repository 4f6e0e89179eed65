"""Using framing from Python: one text, then a reusable Analyzer over several texts.

Run: python examples/api_example.py
"""

from pathlib import Path

import framing
from framing.analyzer import Analyzer
from framing.serialize import to_dict

seed = Path(__file__).resolve().parent.parent / "seeds" / "000_0281386bebb0d4b9.txt"
analysis = framing.analyze(seed.read_text(encoding="utf-8"), source=seed.name)
print(f"{analysis.source}: dominant frame = {analysis.dominant}")
for frame in analysis.frames:
    top_terms = ", ".join(t.lemma for t in frame.terms[:3])
    print(
        f"  {frame.id:16} score={frame.score:.2f} present={frame.present} lexicon hits={frame.lexicon.hits} terms: "
        f"{top_terms}"
    )
    for evidence in frame.evidence[:1]:
        print(f"    evidence [{evidence.span.start}:{evidence.span.stop}] {evidence.span.text[:90]}…")

# For many texts, keep one Analyzer (pipeline, lexicons and model load once).
analyzer = Analyzer(mode="combined")
for text in [
    "Москва и Астана выводят отношения на новый уровень: стороны договорились вместе строить заводы.",
    "В Бишкеке обсуждают закон, по которому чиновники обязаны сдавать экзамен по государственному языку.",
    "На юге страны ожидается жара до +38, синоптики советуют не выходить на улицу днём.",
]:
    result = analyzer.analyze(text)
    print(result.dominant, {f.id: f.score for f in result.frames})

record = to_dict(analysis)  # the JSON schema framing/1 as a dict
print(sorted(record))
