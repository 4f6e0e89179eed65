"""Print the lemma form of words or phrases, exactly as framing lemmatizes documents: what a lexicon term must be.

Usage: python scripts/lemmas.py "стратегического партнёрства" "Глобального Юга"
       (prints `стратегический партнерство`, `глобальный юг`; '?' marks words pymorphy3 does not know)
"""

import sys

from framing.nlp import lemmatize_phrase, pipeline_lemmatizer

morph = pipeline_lemmatizer().morph

for phrase in sys.argv[1:] or [line.strip() for line in sys.stdin if line.strip()]:
    words = [w for w in phrase.lower().replace("ё", "е").split() if w]
    marks = "".join("" if all(morph.word_is_known(p) for p in w.strip(",.«»").split("-")) else "?" for w in words)
    print(f"{phrase}\t->\t{' '.join(lemmatize_phrase(phrase))}{'  (' + marks + ' unknown word)' if marks else ''}")
