"""Lexicon sets as data: a folder with `codebook.toml` (labels, definitions) and one `<frame>.toml` per frame.

Frames are defined by the files alone, so a user adds a fifth frame by adding a file. Loading raises
FramingError naming file and line; `check_lexicon_set` collects every problem for `framing lexicon check`.
"""

from __future__ import annotations

import re
from functools import lru_cache

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import FramingError
from .normalize import fold_yo

DEFAULT_WINDOW = 6
FRAME_ID = re.compile(r"^[a-z][a-z0-9_]*$")
PUNCTUATION = re.compile(r"[^\w\s-]")


@dataclass(frozen=True)
class Term:
    lemma: str  # space-separated lemma sequence, lowercase, ё→е
    weight: float
    exclude: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    boost: tuple[str, ...] = ()  # phrases that, near the hit, raise its weight to `boosted`
    boosted: float | None = None
    window: int = DEFAULT_WINDOW
    line: int | None = None

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.lemma.split())


@dataclass
class Frame:
    id: str
    label_ru: str
    label_en: str
    definition: str = ""
    includes: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    path: Path | None = None

    @property
    def label(self) -> str:
        return self.label_ru or self.label_en or self.id


@dataclass
class LexiconSet:
    frames: list[Frame]
    root: Path | str
    contexts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # named phrase lists, used as "@name"

    def expand(self, phrases: tuple[str, ...]) -> tuple[str, ...]:
        """Context phrases with every "@name" replaced by the named list."""
        out: list[str] = []
        for phrase in phrases:
            out.extend(self.contexts.get(phrase[1:], ()) if phrase.startswith("@") else (phrase,))
        return tuple(out)

    def frame(self, frame_id: str) -> Frame:
        for frame in self.frames:
            if frame.id == frame_id:
                return frame
        known = ", ".join(f.id for f in self.frames)
        raise FramingError(str(self.root), f"no frame '{frame_id}' (known: {known})")

    @property
    def ids(self) -> list[str]:
        return [f.id for f in self.frames]


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


def builtin_lexicon_dir() -> Path:
    """The shipped lexicons: inside the installed package (wheel) or the repo's lexicons/ (editable)."""
    packaged = resources.files("framing") / "lexicons"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "lexicons"


def _table_lines(raw: str) -> list[int]:
    """1-based line numbers of each `[[terms]]` header, to point errors at the entry."""
    return [i for i, line in enumerate(raw.splitlines(), 1) if line.strip().startswith("[[terms]]")]


@lru_cache(maxsize=16)
def _lines(raw: str) -> list[str]:
    """A file's lines, split once however many keys are looked up in it."""
    return raw.splitlines()


def _key_line(raw: str, start: int | None, key: str) -> int | None:
    """Line of `key =` in the table whose header is on line `start` (0: top level); else the header line."""
    if start is None:
        return None
    lines = _lines(raw)
    for i in range(start, len(lines)):
        stripped = lines[i].strip()
        if stripped.startswith("["):
            break
        if re.match(rf"{key}\s*=", stripped):
            return i + 1
    return start or None


MAX_LEXICON_BYTES = 5 * 2**20  # the built-in frame files are ~20 KB each


def _read_toml(path: Path, problems: list[Problem]) -> tuple[dict, str] | None:
    """Parse one TOML file; problems (unreadable, not a regular file, too large, bad TOML) are recorded."""
    try:
        if not path.is_file():  # a FIFO or device named *.toml would block or never end
            problems.append(Problem(str(path), None, "not a regular file"))
            return None
        size = path.stat().st_size
        if size > MAX_LEXICON_BYTES:
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"file too large for a lexicon ({size / 2**20:.1f} MB > {MAX_LEXICON_BYTES // 2**20} MB)",
                )
            )
            return None
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), None, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
        return None
    except OSError as exc:
        problems.append(Problem(str(path), None, f"cannot read: {exc.strerror}"))
        return None
    try:
        return tomllib.loads(raw), raw
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        match = re.search(r"line (\d+)", str(exc))
        if line is None and match:
            line = int(match.group(1))
        message = getattr(exc, "msg", str(exc).split(" (at")[0])
        problems.append(Problem(str(path), line, f"invalid TOML: {message}"))
        return None


def _str_list(value, path: Path, line: int | None, key: str, problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(Problem(str(path), line, f"'{key}' must be a list of non-empty strings"))
        return ()
    return tuple(" ".join(fold_yo(v.lower()).split()) for v in value)


def _parse_frame_file(path: Path, codebook: dict, problems: list[Problem]) -> Frame | None:
    loaded = _read_toml(path, problems)
    if loaded is None:
        return None
    data, raw = loaded
    frame_id = data.get("frame", path.stem)
    if not isinstance(frame_id, str) or not FRAME_ID.match(frame_id):
        problems.append(
            Problem(
                str(path), _key_line(raw, 0, "frame"), f"'frame' must be an id like 'partnership', got {frame_id!r}"
            )
        )
        return None
    info = codebook.get(frame_id, {})
    frame = Frame(
        id=frame_id,
        label_ru=str(data.get("label_ru", info.get("label_ru", ""))),
        label_en=str(data.get("label_en", info.get("label_en", frame_id))),
        definition=" ".join(str(data.get("definition", info.get("definition", ""))).split()),
        includes=list(info.get("includes", [])),
        excludes=list(info.get("excludes", [])),
        examples=list(info.get("examples", [])),
        path=path,
    )
    entries = data.get("terms", [])
    header_lines = _table_lines(raw)
    if not isinstance(entries, list):
        problems.append(
            Problem(str(path), _key_line(raw, 0, "terms"), "'terms' must be an array of tables ([[terms]])")
        )
        return frame
    for index, entry in enumerate(entries):
        start = header_lines[index] if index < len(header_lines) else None
        if not isinstance(entry, dict):
            problems.append(Problem(str(path), start, "each term must be a table with 'lemma' and 'weight'"))
            continue
        term = _parse_term(entry, path, raw, start, problems)
        if term is not None:
            frame.terms.append(term)
    return frame


def _parse_term(entry: dict, path: Path, raw: str, start: int | None, problems: list[Problem]) -> Term | None:
    """One [[terms]] table; every problem in it is reported (not just the first), None if unusable."""
    before = len(problems)

    def problem(key: str | None, message: str) -> None:
        problems.append(Problem(str(path), _key_line(raw, start, key) if key else start, message))

    lemma, weight = entry.get("lemma"), entry.get("weight")
    if not isinstance(lemma, str) or not lemma.strip():
        problem("lemma", f"'lemma' must be a non-empty string, got {lemma!r}")
    elif PUNCTUATION.search(lemma):
        problem(
            "lemma", f"'lemma' {lemma!r} contains punctuation: write lemmas separated by spaces (it could never match)"
        )
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        problem("weight", f"'weight' must be a number, got {weight!r}")
    elif not 0 < weight <= 1:
        problem("weight", f"weight {weight} out of range (0, 1]")
    window = entry.get("window", DEFAULT_WINDOW)
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        problem("window", f"'window' must be a positive integer, got {window!r}")
    boosted = entry.get("boosted")
    if boosted is not None and (
        isinstance(boosted, bool) or not isinstance(boosted, (int, float)) or not 0 < boosted <= 1
    ):
        problem("boosted", f"'boosted' must be a number in (0, 1], got {boosted!r}")
    unknown = set(entry) - {"lemma", "weight", "exclude", "require", "boost", "boosted", "window", "note"}
    if unknown:
        problem(None, f"unknown key(s) {', '.join(sorted(unknown))}")
    lists = {
        key: _str_list(entry.get(key), path, _key_line(raw, start, key), key, problems)
        for key in ("exclude", "require", "boost")
    }
    if len(problems) > before:
        return None
    return Term(
        lemma=" ".join(fold_yo(lemma.lower()).split()),
        weight=float(weight),
        exclude=lists["exclude"],
        require=lists["require"],
        boost=lists["boost"],
        boosted=float(boosted) if boosted is not None else None,
        window=window,
        line=start,
    )


def _load(root: Path, problems: list[Problem], depth: int = 0) -> tuple[LexiconSet, dict]:
    """Load one folder; with `extends = "builtin"` (or a folder path) in its codebook, on top of that set."""
    if not root.exists():
        problems.append(Problem(str(root), None, "no such lexicon folder"))
        return LexiconSet([], root), {}
    if not root.is_dir():
        problems.append(Problem(str(root), None, "a lexicon set is a folder of .toml files"))
        return LexiconSet([], root), {}
    codebook_path = root / "codebook.toml"
    data, raw = {}, ""
    if codebook_path.exists():
        loaded = _read_toml(codebook_path, problems)
        if loaded is not None:
            data, raw = loaded
    base, codebook = LexiconSet([], root), {}
    extends = data.get("extends")
    if extends is not None:
        if not isinstance(extends, str) or depth > 3:
            problems.append(
                Problem(
                    str(codebook_path),
                    _key_line(raw, 0, "extends"),
                    "'extends' must be \"builtin\" or a folder path (no cycles)",
                )
            )
        else:
            parent = builtin_lexicon_dir() if extends == "builtin" else (root / extends)
            base, codebook = _load(parent.resolve(), problems, depth + 1)
    own = data.get("frames", {})
    if not isinstance(own, dict):
        problems.append(
            Problem(str(codebook_path), _key_line(raw, 0, "frames"), "'frames' must be a table of [frames.<id>]")
        )
        own = {}
    for frame_id, info in list(own.items()):
        if not isinstance(info, dict):
            line = next(
                (i for i, text in enumerate(raw.splitlines(), 1) if text.strip().startswith(f"{frame_id} =")), None
            )
            problems.append(
                Problem(
                    str(codebook_path),
                    line,
                    f"frames.{frame_id} must be a table ([frames.{frame_id}]) with labels and definition",
                )
            )
            del own[frame_id]
    codebook = {**codebook, **own}
    contexts = dict(base.contexts)
    raw_contexts = data.get("contexts", {})
    for name, phrases in raw_contexts.items() if isinstance(raw_contexts, dict) else ():
        contexts[name] = _str_list(phrases, codebook_path, _key_line(raw, 0, name), f"contexts.{name}", problems)
    frames = []
    for path in sorted(root.glob("*.toml")):
        if path.name == "codebook.toml":
            continue
        frame = _parse_frame_file(path, codebook, problems)
        if frame is not None:
            frames.append(frame)
    seen: dict[str, Path | None] = {}
    for frame in frames:
        if frame.id in seen:
            problems.append(Problem(str(frame.path), None, f"frame '{frame.id}' already defined in {seen[frame.id]}"))
        seen[frame.id] = frame.path
    order = list(codebook)
    frames.sort(key=lambda f: (order.index(f.id) if f.id in order else len(order), f.id))
    frames = [f for f in base.frames if f.id not in seen] + frames  # own files replace inherited frames
    if not frames and not problems:
        problems.append(Problem(str(root), None, "no frame files (<frame>.toml) found"))
    if depth == 0:
        for frame in frames:
            for term in frame.terms:
                for phrase in term.exclude + term.require + term.boost:
                    if phrase.startswith("@") and phrase[1:] not in contexts:
                        problems.append(
                            Problem(
                                str(frame.path),
                                term.line,
                                f"unknown context list '{phrase}' (define it under [contexts])",
                            )
                        )
    return LexiconSet(frames, root, contexts), codebook


def load_lexicon_set(path: str | Path | None = None) -> LexiconSet:
    """Load a lexicon set (the built-in one when `path` is None); the first error raises FramingError."""
    root = Path(path) if path is not None else builtin_lexicon_dir()
    problems: list[Problem] = []
    lexicons, _ = _load(root, problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0]
        raise FramingError(first.path, first.message, first.line)
    return lexicons


def check_lexicon_set(path: str | Path | None = None) -> tuple[LexiconSet, list[Problem]]:
    """Every problem in a lexicon set: syntax, types, ranges, duplicates, non-lemmas, unknown words."""
    root = Path(path) if path is not None else builtin_lexicon_dir()
    problems: list[Problem] = []
    lexicons, _ = _load(root, problems)
    from .nlp import pipeline_lemmatizer

    lemmatizer = pipeline_lemmatizer()
    morph = lemmatizer.morph
    owners: dict[str, tuple[str, int | None]] = {}
    for frame in lexicons.frames:
        where = str(frame.path)
        for term in frame.terms:
            if term.lemma in owners:
                other_frame, other_line = owners[term.lemma]
                if other_frame == frame.id:
                    problems.append(
                        Problem(where, term.line, f"duplicate term '{term.lemma}' (also line {other_line})")
                    )
                else:
                    problems.append(
                        Problem(where, term.line, f"duplicate term '{term.lemma}' (also in frame '{other_frame}')")
                    )
            else:
                owners[term.lemma] = (frame.id, term.line)
            for word in term.words:
                _check_word(word, term.lemma, where, term.line, problems, lemmatizer, morph, warn_unknown=True)
            for phrase in term.exclude + term.require + term.boost:
                if not phrase.startswith("@"):
                    for word in phrase.split():
                        _check_word(word, phrase, where, term.line, problems, lemmatizer, morph)
    codebook = str(Path(lexicons.root) / "codebook.toml")
    for name, phrases in lexicons.contexts.items():
        for phrase in phrases:
            for word in phrase.split():
                _check_word(word, f"@{name}: {phrase}", codebook, None, problems, lemmatizer, morph)
    return lexicons, problems


def _check_word(word, phrase, where, line, problems, lemmatizer, morph, warn_unknown: bool = False) -> None:
    """A lexicon word must be pymorphy3's normal form (else it never matches); unknown words only warn."""
    if any(ch.isdigit() for ch in word):
        return
    lemma = lemmatizer.lemma_of(word)
    if lemma != word:
        problems.append(Problem(where, line, f"'{word}' in '{phrase}' is not a lemma (pymorphy3: '{lemma}')"))
    elif warn_unknown and not all(morph.word_is_known(part) for part in word.split("-")):
        problems.append(Problem(where, line, f"'{word}' is not in pymorphy3's dictionary", "warning"))
