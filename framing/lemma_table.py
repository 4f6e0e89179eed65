"""A shipped table of Russian word forms: their lemma and whether pymorphy3's dictionary knows them.

A first pass over new text spends most of its time in pymorphy3 meeting forms it has not seen in this process:
`parse` for the lemma (lemmatizer) and `word_is_known` for the language check, ~50–180 µs each. Every entry here
was made by those very calls (scripts/build_lemma_table.py), so a lookup gives exactly what the call would; forms
not in the table are parsed as before. The forms: those of the build half of the real-news corpus, and every
inflection of the dictionary words among them (a new article mostly brings known words in new cases).

Compact, because it is large (~10⁶ forms): a form is its 64-bit spaCy string hash, so the table is a sorted
uint64 array with, per form, the index of its lemma and a dictionary flag — ~13 bytes a form in memory instead of
~110 for a dict of strings, and looked up for a whole Doc with one `searchsorted`. The build refuses two forms
with one hash; an unseen form taking a table form's hash has odds of ~10⁻¹³. The lemmatizer loads it (~35 ms)
when it first meets a form new to the process: not for a pipeline that is never used, and already for one short
article, whose ~450 new forms cost ~60–90 ms to parse.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.strings import hash_string

TABLE_PATH = Path(str(resources.files("framing") / "data" / "form_lemmas.npz"))
FORMAT = "framing-lemma-table/3"
# Forms whose hashes the file also stores: a spaCy whose string hash differed would find them missing, and the
# table is then not used (everything parsed, as without it) rather than giving wrong lemmas.
HASH_PROBES = ("россия", "партнерство", "суверенитет", "язык", "и")


def dictionary_identity(morph) -> str:
    """What the entries depend on besides the form: pymorphy3's version and its dictionary's. The table is used only
    with the very ones it was made with (another dictionary may lemmatize differently)."""
    import pymorphy3

    meta = morph.dictionary.meta
    return (f"pymorphy3 {pymorphy3.__version__}; dictionary {meta.get('format_version')} "
            f"{meta.get('source_revision')} {meta.get('compiled_at')}")


def in_build_half(article_id: str) -> bool:
    """The corpus articles anything shipped may be derived from; the others are the benchmark's (bench half)."""
    return hashlib.sha1(article_id.encode()).digest()[0] % 2 == 0


def form_key(form: str) -> int:
    """A form's key in the table: spaCy's string hash (a plain form's LOWER id, except for spaCy's few symbols)."""
    return hash_string(form)


@dataclass
class LemmaTable:
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))  # sorted form keys
    lemma_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))  # per key: into `lemmas`
    known_flags: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per key: dictionary knows it
    lemmas: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, keys: list[int] | np.ndarray) -> np.ndarray:
        """Position of each key in the table, -1 where absent (one vectorised lookup for many forms)."""
        keys = np.asarray(keys, dtype=np.uint64)
        if not len(self.keys) or not len(keys):
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[at] == keys, at, -1)

    def entry(self, position: int) -> tuple[str, bool]:
        """(lemma, dictionary knows the form) at a position `find` gave."""
        return self.lemmas[self.lemma_index[position]], bool(self.known_flags[position])

    def entries(self, positions: np.ndarray) -> tuple[list[int], list[bool]]:
        """Lemma number (into `lemmas`) and dictionary flag at each position `find` gave, for many at once; -1 and
        False where `find` gave -1."""
        found = positions >= 0
        if not len(self.keys):
            return [-1] * len(positions), [False] * len(positions)
        at = np.where(found, positions, 0)
        numbers = np.where(found, self.lemma_index[at].astype(np.int64), -1)
        return numbers.tolist(), (self.known_flags[at] & found).tolist()

    def lookup(self, form: str) -> tuple[str, bool] | None:
        position = int(self.find([form_key(form)])[0])
        return None if position < 0 else self.entry(position)

    def lemma(self, form: str) -> str | None:
        found = self.lookup(form)
        return None if found is None else found[0]

    def known(self, form: str) -> bool | None:
        """Whether the dictionary knows `form`; None when the table does not have it."""
        found = self.lookup(form)
        return None if found is None else found[1]

    def __contains__(self, form: str) -> bool:
        return self.lookup(form) is not None

    def fill(self, other: LemmaTable) -> None:
        """Take `other`'s entries in place (the lemmatizer and the language check share one table object; batch
        workers are single-threaded processes, so no reader sees the four attributes half replaced). Only an empty
        table is filled: lemmatizers remember entries by position (CachedMorphLemmatizer._lemma_ids)."""
        if len(self.keys):
            raise ValueError("the lemma table is filled already")
        self.keys, self.lemma_index, self.known_flags, self.lemmas = (
            other.keys, other.lemma_index, other.known_flags, other.lemmas)


def build_table(entries: dict[str, tuple[str, bool]]) -> LemmaTable:
    """A table from form → (lemma, dictionary knows it)."""
    lemmas = sorted({lemma for lemma, _ in entries.values()})
    number = {lemma: i for i, lemma in enumerate(lemmas)}
    forms = list(entries)
    keys = np.array([form_key(form) for form in forms], dtype=np.uint64)
    if len(np.unique(keys)) != len(keys):
        raise ValueError("two forms share a string hash")
    order = np.argsort(keys)
    return LemmaTable(
        keys[order],
        np.array([number[entries[form][0]] for form in forms], dtype=np.uint32)[order],
        np.array([entries[form][1] for form in forms], dtype=bool)[order],
        lemmas,
    )


def load_table(dictionary: str, path: Path = TABLE_PATH) -> LemmaTable:
    """The table for pymorphy3 `dictionary` (dictionary_identity); empty — everything parsed, as without it — when the
    file is missing or damaged, or was made with another dictionary or another string hash."""
    try:
        with np.load(path, allow_pickle=False) as data:  # our own shipped file, never a user's
            if (str(data["format"]) != FORMAT or str(data["dictionary"]) != dictionary
                    or not np.array_equal(data["probes"], _probe_keys())):
                return LemmaTable()
            keys, lemma_index, known = data["keys"], data["lemma_index"], data["known"]
            lemmas = data["lemmas"].tobytes().decode("utf-8").split("\n")
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):  # ValueError covers UnicodeDecodeError
        return LemmaTable()
    consistent = (
        keys.dtype == np.uint64 and lemma_index.dtype == np.uint32 and known.dtype == bool
        and keys.ndim == lemma_index.ndim == known.ndim == 1 and len(keys) == len(lemma_index) == len(known)
        and (not len(keys) or (int(lemma_index.max()) < len(lemmas) and bool(np.all(keys[1:] > keys[:-1]))))
    )
    return LemmaTable(keys, lemma_index, known, lemmas) if consistent else LemmaTable()


def _probe_keys() -> np.ndarray:
    return np.array([form_key(form) for form in HASH_PROBES], dtype=np.uint64)


def write_table(table: LemmaTable, dictionary: str, path: Path = TABLE_PATH) -> None:
    if any("\n" in lemma for lemma in table.lemmas):
        raise ValueError("lemmas must be single-line strings")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        format=np.array(FORMAT),
        dictionary=np.array(dictionary),
        probes=_probe_keys(),
        keys=table.keys,
        lemma_index=table.lemma_index,
        known=table.known_flags,
        lemmas=np.frombuffer("\n".join(table.lemmas).encode("utf-8"), dtype=np.uint8),
    )
