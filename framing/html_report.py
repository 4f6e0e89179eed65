"""One analysis as a self-contained HTML page: the terminal report's content plus the highlighted article.

The page has no scripts and loads nothing (a Content-Security-Policy forbids it), so it can be mailed,
archived and opened offline. Highlights are placed by the analysis' character offsets into
`analysis.text` — the same string the offsets index — so what is marked is exactly what was matched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import escape

from .formats import thousands
from .lexicon import Frame
from .normalize import split_date_header
from .palette import frame_colours
from .results import Analysis, Evidence, FrameResult
from .scoring import SENTENCE_PROB

TERM, EVIDENCE, CLASSIFIER = "term", "evidence", "classifier"

CSS = """
body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1d1d1f; margin: 0; background: #fafafa; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .3rem; }
table { border-collapse: collapse; margin: .4rem 0; }
th, td { padding: .25rem .6rem; text-align: right; border-bottom: 1px solid #eee; }
th { font-weight: 600; background: #f3f3f3; } td.name, th.name { text-align: left; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0; }
dl.meta dt { color: #666; } dl.meta dd { margin: 0; }
.bar { display: inline-block; width: 8rem; height: .7rem; background: #e8e8e8; vertical-align: middle; }
.bar span { display: block; height: 100%; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: 2px;
          vertical-align: -.1rem; margin-right: .35rem; }
.note { color: #666; font-size: .85rem; }
.article { white-space: pre-wrap; line-height: 1.9; padding: .8rem 1rem;
           border: 1px solid #e3e3e3; border-radius: 4px; }
.term { font-weight: 600; }
ul.evidence { padding-left: 1.2rem; } ul.evidence li { margin: .35rem 0; } ul.classifier-only { list-style: circle; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; margin: .5rem 0; font-size: .9rem; }
.legend .sample { padding: 0 .3rem; }
.codebook p { margin: .3rem 0; } .codebook ul { margin: .2rem 0 .6rem; }
"""


@dataclass(frozen=True)
class Layer:
    """One highlight over text[start:stop]: a lexicon term, an evidence sentence or a classifier-only sentence."""

    frame: str
    kind: str
    start: int
    stop: int
    note: str


def frame_layers(frame: FrameResult) -> list[Layer]:
    """Every highlight of one frame: all its lexicon hits, its evidence sentences, its classifier-only sentences."""
    layers = [
        Layer(frame.id, TERM, h.span.start, h.span.stop, f"{frame.label}: {h.lemma} (weight {h.weight:g})")
        for h in frame.matches
    ]
    for kind, found in ((EVIDENCE, frame.evidence), (CLASSIFIER, frame.classifier_only)):
        what = "evidence sentence" if kind == EVIDENCE else "classifier only, no lexicon term"
        for e in found:
            layers.append(Layer(frame.id, kind, e.span.start, e.span.stop, f"{frame.label}: {what}{_probability(e)}"))
    return layers


def _probability(e: Evidence) -> str:
    return f", p={e.probability:.2f}" if e.probability is not None else ""


def layer_runs(start: int, stop: int, layers: Sequence[Layer]) -> Iterator[tuple[int, int, list[Layer]]]:
    """Cut text[start:stop] at every layer boundary; yield (start, stop, layers covering that piece)."""
    inside = [layer for layer in layers if layer.start < stop and layer.stop > start and layer.start < layer.stop]
    bounds = sorted(
        {start, stop} | {max(start, min(stop, edge)) for layer in inside for edge in (layer.start, layer.stop)}
    )
    inside.sort(key=lambda layer: layer.start)
    active: list[Layer] = []
    next_layer = 0
    for left, right in zip(bounds, bounds[1:]):
        while next_layer < len(inside) and inside[next_layer].start <= left:
            active.append(inside[next_layer])
            next_layer += 1
        active = [layer for layer in active if layer.stop > left]
        yield left, right, list(active)


def _segment_html(text: str, at: int, layers: list[Layer], colours: dict[str, str]) -> str:
    """A piece of text with its highlights: term background on top, classifier hatching below, evidence underlines."""
    if not layers:
        return escape(text)
    by_kind = {
        kind: list(dict.fromkeys(layer.frame for layer in layers if layer.kind == kind))
        for kind in (TERM, EVIDENCE, CLASSIFIER)
    }
    backgrounds = []
    if by_kind[TERM]:
        backgrounds.append(_stripes([colours[f] + "66" for f in by_kind[TERM]], "180deg", solid=True))
    if by_kind[CLASSIFIER]:
        backgrounds.append(_stripes([colours[f] + "55" for f in by_kind[CLASSIFIER]], "135deg", solid=False))
    style = []
    if backgrounds:
        style.append("background: " + ", ".join(backgrounds))
    if by_kind[EVIDENCE]:
        shadows = [f"inset 0 -{3 * (i + 1)}px 0 0 {colours[f]}" for i, f in enumerate(by_kind[EVIDENCE])]
        style.append("box-shadow: " + ", ".join(shadows))
    classes = " ".join(kind for kind in (TERM, EVIDENCE, CLASSIFIER) if by_kind[kind])
    # data-term / data-evidence / data-classifier: which frames mark this piece, and how (offset: data-at)
    frames = "".join(f' data-{kind}="{escape(" ".join(ids))}"' for kind, ids in by_kind.items() if ids)
    title = "\n".join(dict.fromkeys(layer.note for layer in layers))
    attributes = f'class="{classes}" data-at="{at}"{frames} style="{"; ".join(style)}" title="{escape(title)}"'
    return f"<span {attributes}>{escape(text)}</span>"


def _stripes(colours: list[str], angle: str, solid: bool) -> str:
    """A CSS gradient: equal bands of each colour (solid), or thin hatching with gaps (classifier finds)."""
    band = 100 / len(colours)
    if solid:
        stops = ", ".join(f"{c} {i * band:.1f}% {(i + 1) * band:.1f}%" for i, c in enumerate(colours))
        return f"linear-gradient({angle}, {stops})"
    stops = ", ".join(
        f"{c} {i * 8}px {i * 8 + 4}px, transparent {i * 8 + 4}px {i * 8 + 8}px" for i, c in enumerate(colours)
    )
    return f"repeating-linear-gradient({angle}, {stops})"


def highlighted(text: str, start: int, stop: int, layers: Sequence[Layer], colours: dict[str, str]) -> str:
    return "".join(_segment_html(text[a:b], a, active, colours) for a, b, active in layer_runs(start, stop, layers))


def _swatch(colour: str) -> str:
    return f'<span class="swatch" style="background: {colour}"></span>'


def _header(analysis: Analysis) -> str:
    rows = [
        ("source", analysis.source or "<text>"),
        ("date", analysis.date or "—"),
        ("tokens", thousands(analysis.tokens)),
        ("sentences", str(analysis.sentences)),
        ("mode", analysis.mode),
        ("dominant", analysis.dominant or "none"),
        ("language", f"{analysis.language} ({analysis.russian_share:.0%} Russian words)"),
    ]
    rows += [("warning", warning) for warning in analysis.warnings]
    return '<dl class="meta">' + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows) + "</dl>"


def _frames_table(analysis: Analysis, colours: dict[str, str]) -> str:
    has_classifier = any(f.classifier is not None for f in analysis.frames)
    columns = ["frame", "score", "", "present", "threshold", "lex hits", "per 1k", "lex score"]
    columns += ["cls sentences", "top p", "cls score"] if has_classifier else []
    head = "".join(f'<th class="{"name" if c == "frame" else ""}">{escape(c)}</th>' for c in columns)
    rows = []
    for f in analysis.frames:
        label = f"<b>{escape(f.label)}</b>" if f.id == analysis.dominant else escape(f.label)
        name = _swatch(colours[f.id]) + label
        bar = f'<span class="bar"><span style="width: {f.score * 100:.0f}%; background: {colours[f.id]}"></span></span>'
        cells = [
            f"{f.score:.2f}",
            bar,
            "✔" if f.present else "·",
            f"{f.threshold:.2f}",
            str(f.lexicon.hits),
            f"{f.lexicon.per_1k:.1f}",
            f"{f.lexicon.score:.2f}",
        ]
        if has_classifier:
            c = f.classifier
            cells += [str(c.sentences), f"{c.top_prob:.2f}", f"{c.score:.2f}"] if c else ["—", "—", "—"]
        rows.append(
            f'<tr data-frame="{escape(f.id)}"><td class="name">{name} <span class="note">{escape(f.id)}</span></td>'
            + "".join(f"<td>{cell}</td>" for cell in cells)
            + "</tr>"
        )
    note = (
        "score: probability that a coder would code the frame as a developed strand (≥ 2), from the document model "
        "over the components on the right; present: score ≥ the frame's threshold. "
        "lex hits, per 1k, lex score: lexicon hits, weighted hits per 1,000 tokens, lexicon score"
        + (
            "; cls sentences, top p, cls score: sentences the classifier assigns "
            f"(p ≥ {SENTENCE_PROB:g}), its highest sentence probability, classifier score"
            if has_classifier
            else ""
        )
    )
    return f'<table class="frames"><tr>{head}</tr>{"".join(rows)}</table><p class="note">{escape(note)}</p>'


def _legend(analysis: Analysis, colours: dict[str, str]) -> str:
    items = []
    for f in analysis.frames:
        colour = colours[f.id]
        items.append(f"<span>{_swatch(colour)}{escape(f.label)}</span>")
    kinds = [
        (
            _segment_html("term", 0, [Layer("x", TERM, 0, 4, "")], {"x": "#555555"}),
            "lexicon term (background in the frame's colour)",
        ),
        (
            _segment_html("sentence", 0, [Layer("x", EVIDENCE, 0, 8, "")], {"x": "#555555"}),
            "evidence sentence (underline)",
        ),
        (
            _segment_html("sentence", 0, [Layer("x", CLASSIFIER, 0, 8, "")], {"x": "#555555"}),
            "found by the classifier alone (hatched)",
        ),
    ]
    kinds_html = "".join(f'<span><span class="sample">{sample}</span> {escape(what)}</span>' for sample, what in kinds)
    return (
        f'<div class="legend">{"".join(items)}</div><div class="legend">{kinds_html}</div>'
        '<p class="note">Several frames on one piece of text: stripes of each colour, stacked underlines. Hover for '
        'details.</p>'
    )


def _frame_evidence(f: FrameResult, text: str, colours: dict[str, str]) -> str:
    if not (f.evidence or f.classifier_only or f.terms):
        return ""
    terms = ", ".join(f"{escape(t.lemma)} ×{t.count}" for t in f.terms) or "—"
    term_layers = [layer for layer in frame_layers(f) if layer.kind == TERM]

    def item(e: Evidence) -> str:
        sentence = highlighted(text, e.span.start, e.span.stop, term_layers, colours)
        note = f'<span class="note">@{e.span.start}{_probability(e)}</span>'
        return f'<li data-start="{e.span.start}" data-end="{e.span.stop}">{sentence} {note}</li>'

    parts = [
        f'<section class="frame-evidence" data-frame="{escape(f.id)}"><h3>{_swatch(colours[f.id])}{escape(f.label)} — '
        'evidence</h3>',
        f"<p><b>terms:</b> {terms}</p>",
    ]
    if f.evidence:
        parts.append('<ul class="evidence">' + "".join(item(e) for e in f.evidence) + "</ul>")
    if f.classifier_only:
        parts.append("<p><i>classifier only (no lexicon term):</i></p>")
        parts.append('<ul class="evidence classifier-only">' + "".join(item(e) for e in f.classifier_only) + "</ul>")
    return "".join(parts) + "</section>"


def _codebook(codebook: Sequence[Frame], colours: dict[str, str]) -> str:
    if not codebook:
        return ""
    parts = ['<section class="codebook"><h2>Codebook</h2>']
    for frame in codebook:
        english = f" / {escape(frame.label_en)}" if frame.label_en and frame.label_en != frame.label else ""
        parts.append(
            f'<h3 data-frame="{escape(frame.id)}">'
            f'{_swatch(colours.get(frame.id, "#7F7F7F"))}{escape(frame.label)}{english} '
            f'<span class="note">{escape(frame.id)}</span></h3>'
        )
        parts.append(f'<p class="definition">{escape(frame.definition or "(no definition)")}</p>')
        for title, entries in (
            ("Counts", frame.includes),
            ("Does not count", frame.excludes),
            ("Examples", frame.examples),
        ):
            if entries:
                parts.append(
                    f"<p><b>{title}:</b></p><ul>" + "".join(f"<li>{escape(x)}</li>" for x in entries) + "</ul>"
                )
    return "".join(parts) + "</section>"


def article_start(text: str) -> int:
    """Where the article body starts: after a leading ` date YYYY-MM-DD ` header and the blanks that follow."""
    _, body = split_date_header(text)
    return body + len(text[body:]) - len(text[body:].lstrip())


def html_report(analysis: Analysis, codebook: Sequence[Frame] = ()) -> str:
    """The whole page. `codebook`: the lexicon set's frames (definitions; their order fixes the colours)."""
    order = [frame.id for frame in codebook] + [f.id for f in analysis.frames if f.id not in {c.id for c in codebook}]
    colours = frame_colours(order)
    layers = [layer for f in analysis.frames for layer in frame_layers(f)]
    text = analysis.text
    start = article_start(text)
    body = highlighted(text, start, len(text), layers, colours)
    title = f"framing — {analysis.source or 'text'}"
    return html_page(
        title,
        [
            _header(analysis),
            "<h2>Frames (sorted by score)</h2>",
            _frames_table(analysis, colours),
            "<h2>Article</h2>",
            _legend(analysis, colours),
            f'<div class="article" data-start="{start}">{body}</div>',
            "<h2>Evidence per frame</h2>",
            "".join(_frame_evidence(f, text, colours) for f in analysis.frames),
            _codebook(codebook, colours),
            '<p class="note">Made by framing. Offsets (@) are character positions in the analysed text.</p>',
        ],
    )


def html_page(title: str, parts: Sequence[str], css: str = CSS) -> str:
    """A standalone page around `parts` (trusted HTML): inline CSS, no scripts, and a policy that forbids any fetch."""
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="ru"><head><meta charset="utf-8">',
            # Nothing may be fetched: the page must look the same offline and cannot leak that it was opened.
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{css}</style></head><body><main>",
            f"<h1>{escape(title)}</h1>",
            *parts,
            "</main></body></html>",
        ]
    )
