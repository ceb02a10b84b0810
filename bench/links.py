"""Measure the no-links rule on the labelled comment corpus.

Run from the repository root: ``.venv/bin/python bench/links.py [--repeat N]``.
Prints the corpus size per language and label, recall and false-positive rate
of ``find_links``, the misclassified lines, the missing-space hints given, and
the median and 99th-percentile time of one ``find_links`` call. Django is not
needed: ``commentary.links`` depends only on linkify-it-py and publicsuffixlist.
"""

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commentary.links import check_links, find_links  # noqa: E402

CORPUS = ROOT / "tests" / "commentary" / "data" / "link_corpus.tsv"


def read_corpus(path=CORPUS):
    """``(line number, label, language, text)`` for each line of the TSV corpus."""
    rows = []
    with path.open(encoding="utf-8") as corpus:
        for number, line in enumerate(corpus, start=1):
            label, language, text = line.rstrip("\n").split("\t")
            rows.append((number, label, language, text))
    return rows


def time_calls(texts, repeat):
    """Seconds per ``find_links`` call, ``repeat`` passes over ``texts`` after a warm-up."""
    for text in texts:  # warm-up: imports done, patterns compiled and cached
        find_links(text)
    timings = []
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter()
            find_links(text)
            timings.append(time.perf_counter() - start)
    return timings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed passes over the corpus")
    args = parser.parse_args(argv)

    rows = read_corpus()
    sizes = Counter((language, label) for _, label, language, _ in rows)
    print(f"Corpus: {CORPUS.relative_to(ROOT)}, {len(rows)} comments")
    for language in sorted({language for language, _ in sizes}):
        counts = ", ".join(f"{label} {sizes[language, label]}" for label in ("link", "clean"))
        print(f"  {language}: {counts}")

    missed, false_positives, hinted = [], [], []
    for number, label, language, text in rows:
        result = check_links(text)
        if label == "link" and not result.links:
            missed.append((number, language, text, result.missing_spaces))
        elif label == "clean" and result.links:
            false_positives.append((number, language, text, result.links))
        if result.missing_spaces:
            hinted.append((number, label, language, result.missing_spaces))

    positives = sum(label == "link" for _, label, _, _ in rows)
    negatives = len(rows) - positives
    print(f"Recall: {1 - len(missed) / positives:.2%} ({positives - len(missed)}/{positives})")
    print(
        f"False-positive rate: {len(false_positives) / negatives:.2%} "
        f"({len(false_positives)}/{negatives})"
    )
    print(f"Misclassified: {len(missed) + len(false_positives)}")
    for number, language, text, hints in missed:
        print(f"  missed link, line {number} [{language}]: {text}  (hints: {hints})")
    for number, language, text, fragments in false_positives:
        print(f"  false positive, line {number} [{language}]: {text}  -> {fragments}")
    print(f"Missing-space hints (refused with the friendly message): {len(hinted)}")
    for number, label, language, hints in hinted:
        print(f"  line {number} [{label}, {language}]: {', '.join(hints)}")

    texts = [text for _, _, _, text in rows]
    timings = time_calls(texts, args.repeat)
    p99 = statistics.quantiles(timings, n=100)[98]
    print(
        f"find_links time per call over {len(timings)} calls ({args.repeat} passes, "
        f"mean comment {statistics.mean(map(len, texts)):.0f} characters): "
        f"median {statistics.median(timings) * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs"
    )


if __name__ == "__main__":
    main()
