"""The fast paths give exactly what the straightforward implementations give, on a corpus sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymorphy3
from spacy.matcher import PhraseMatcher

from framing.features import ngrams, sentence_lemmas, unit_features
from framing.matcher import summed_weights
from framing.normalize import fold_yo, normalize

ROOT = Path(__file__).resolve().parent.parent


def sample_texts() -> list[str]:
    texts = [(ROOT / "seeds" / "000_0281386bebb0d4b9.txt").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "gold").glob("*.txt"))]
    return texts


def test_cached_lemmas_equal_uncached_pymorphy(combined_analyzer):
    morph = pymorphy3.MorphAnalyzer()
    nlp = combined_analyzer.nlp
    for text in sample_texts():
        for token in nlp(normalize(text)):
            if token.is_space or not any(ch.isalpha() for ch in token.text):
                continue
            assert token.lemma_ == fold_yo(morph.parse(token.lower_)[0].normal_form), token.text


def test_integer_matcher_equals_spacy_phrase_matcher(combined_analyzer):
    """For terms without context rules, our matcher finds what spaCy's PhraseMatcher on LEMMA finds."""
    nlp = combined_analyzer.nlp
    plain_terms = {
        (f.id, t.lemma)
        for f in combined_analyzer.lexicons.frames
        for t in f.terms
        if not (t.exclude or t.require or t.boost)
    }
    matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
    for frame_id, lemma in plain_terms:
        pattern = nlp.make_doc(lemma)
        pattern.from_array(
            ["LEMMA"], np.array([nlp.vocab.strings.add(w) for w in lemma.split()], dtype=np.uint64).reshape(-1, 1)
        )
        matcher.add(f"{frame_id}|{lemma}", [pattern])
    frames = combined_analyzer.lexicons.frames
    for text in sample_texts():
        doc = nlp(normalize(text))
        reference = set()
        for match_id, start, end in matcher(doc):
            frame_id, lemma = nlp.vocab.strings[match_id].split("|")
            if doc._.token_sentence[start] == doc._.token_sentence[end - 1]:
                reference.add((frame_id, lemma, start, end))
        hits = combined_analyzer.matcher.match(doc)
        ours = {
            (frames[h.frame_index].id, h.term.lemma, h.start, h.end)
            for h in hits
            if (frames[h.frame_index].id, h.term.lemma) in plain_terms
        }
        # ours keeps one term per frame where terms overlap; every plain hit must be one spaCy found,
        # and every spaCy match must lie under some hit of ours for the same frame
        assert ours <= reference
        covered = {(frames[h.frame_index].id, i) for h in hits for i in range(h.start, h.end)}
        longest_first = sorted(reference, key=lambda r: (r[2], -(r[3] - r[2])))
        for frame_id, _lemma, start, end in longest_first:
            assert any((frame_id, i) in covered for i in range(start, end)), (frame_id, _lemma, doc[start:end].text)


def test_vectorised_classifier_equals_dense_per_sentence(combined_analyzer):
    model = combined_analyzer.model
    nlp = combined_analyzer.nlp
    for text in sample_texts()[:8]:
        units = [ngrams(lemmas) for lemmas in sentence_lemmas(nlp(normalize(text)))]
        fast = model.decision(units)
        for row, feats in enumerate(units):
            x = np.zeros(len(model.features))
            for feat in feats:
                if feat in model.index:
                    x[model.index[feat]] += 1
            x *= model.idf
            norm = np.linalg.norm(x)
            if norm:
                x /= norm
            assert np.allclose(fast[row], model.coef @ x + model.intercept, atol=1e-10)


def test_coded_sentences_predict_exactly_what_feature_strings_do(combined_analyzer):
    """The analyzer's integer path (SentenceCoder) gives the very probabilities of unit_features + predict_proba,
    also for a block predicted with neighbours around it and lexicon weights."""
    model = combined_analyzer.model
    nlp = combined_analyzer.nlp
    for text in sample_texts()[:8]:
        doc = nlp(normalize(text))
        units = sentence_lemmas(doc)
        weights = summed_weights(combined_analyzer.matcher.match(doc), combined_analyzer.lexicons.ids, len(units))
        want = model.predict_proba(unit_features(units, weights))
        coded = model.coder.encode(doc)
        assert np.array_equal(model.predict_coded(coded, 0, coded.n, weights), want)
        lo, hi = 1, max(1, coded.n - 1)  # the first and last unit as context only
        middle = model.predict_proba(unit_features(units, [{}] + weights[lo:hi] + [{}] * (len(units) - hi))[lo:hi])
        assert np.array_equal(model.predict_coded(coded, lo, hi, weights[lo:hi]), middle)
