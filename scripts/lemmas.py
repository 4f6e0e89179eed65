"""Print pymorphy3 lemmas (ё→е) for words or phrases: a helper for writing lexicon entries.

Usage: python scripts/lemmas.py "стратегического партнёрства" "Глобального Юга"
Each phrase is printed as its lemma sequence, i.e. the form a lexicon term must be written in.
Words pymorphy3 does not know are marked with '?'.
"""

import re
import sys

import pymorphy3

morph = pymorphy3.MorphAnalyzer()
WORD = re.compile(r"[\w]+(?:-[\w]+)*")

for phrase in sys.argv[1:] or [line.strip() for line in sys.stdin if line.strip()]:
    out = []
    for word in WORD.findall(phrase.lower().replace("ё", "е")):
        lemma = morph.parse(word)[0].normal_form.replace("ё", "е")
        out.append(lemma + ("" if morph.word_is_known(word) else "?"))
    print(f"{phrase}\t->\t{' '.join(out)}")
