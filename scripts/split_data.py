"""Build the fixed train/test split of the sentence corpus: data/train/raw/*.jsonl → train.jsonl, test.jsonl.

A sentence goes to the test split when the first byte of sha1(text) is < 52 (≈ 20 %), so the split
never changes for a sentence, however the corpus grows. Exact duplicates are dropped.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "data" / "train"


def main() -> None:
    seen: set[str] = set()
    train, test = [], []
    for path in sorted((ROOT / "raw").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            text = " ".join(row["text"].split())
            if text in seen:
                continue
            seen.add(text)
            record = json.dumps({"text": text, "labels": sorted(set(row["labels"]))}, ensure_ascii=False)
            (test if hashlib.sha1(text.encode()).digest()[0] < 52 else train).append(record)
    for name, rows in (("train", train), ("test", test)):
        (ROOT / f"{name}.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"train {len(train)}, test {len(test)}")


if __name__ == "__main__":
    main()
