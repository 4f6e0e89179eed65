"""A shipped table of the word forms of real news: their lemma and whether pymorphy3's dictionary knows them.

A first pass over new text spends most of its time in pymorphy3 meeting forms it has not seen in this process:
`parse` for the lemma (lemmatizer) and `word_is_known` for the language check, ~50 µs each. Every entry here
was made by those very calls (scripts/build_lemma_table.py, from the build half of the real-news corpus), so a
lookup gives exactly what the call would; forms not in the table are parsed as before.

File: the forms one per line; a blank line; their lemmas in the same order; a blank line; the forms the
dictionary does not know. Two `split`s, one `dict(zip())` and one `set()` load it in ~50 ms — more than a
short article's own new forms cost to parse, so the lemmatizer loads it only once it has met LOAD_AFTER_MISSES
new forms in the process (a batch, a long file), never for the seed-sized `framing analyze` of one article.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

TABLE_PATH = Path(str(resources.files("framing") / "data" / "form_lemmas.txt"))
LOAD_AFTER_MISSES = 2000


def in_build_half(article_id: str) -> bool:
    """The corpus articles anything shipped may be derived from; the others are the benchmark's (bench half)."""
    return hashlib.sha1(article_id.encode()).digest()[0] % 2 == 0


@dataclass
class LemmaTable:
    lemmas: dict[str, str] = field(default_factory=dict)  # form → lemma
    unknown: set[str] = field(default_factory=set)  # forms of `lemmas` that pymorphy3's dictionary does not know

    def known(self, form: str) -> bool | None:
        """Whether the dictionary knows `form`; None when the table does not have it."""
        return None if form not in self.lemmas else form not in self.unknown

    def fill(self, other: LemmaTable) -> None:
        """Take `other`'s entries in place (the lemmatizer and the language check share one table object)."""
        self.lemmas.update(other.lemmas)
        self.unknown.update(other.unknown)


def load_table(path: Path = TABLE_PATH) -> LemmaTable:
    """The table; empty when the file is missing (everything is then parsed, as without it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LemmaTable()
    forms, _, rest = text.rstrip("\n").partition("\n\n")
    lemmas, _, unknown = rest.partition("\n\n")
    if not forms:
        return LemmaTable()
    return LemmaTable(dict(zip(forms.split("\n"), lemmas.split("\n"))), set(unknown.split("\n")) - {""})


def write_table(table: LemmaTable, path: Path = TABLE_PATH) -> None:
    forms = sorted(table.lemmas)
    if any("\n" in form or not form for form in forms):
        raise ValueError("forms must be non-empty single-line strings")
    sections = ["\n".join(forms), "\n".join(table.lemmas[f] for f in forms), "\n".join(sorted(table.unknown))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
