"""Held-out NLU check: intent F1 per language must reach the bar.

Runs ``rasa test nlu`` on ``tests/nlu/heldout_<lang>.yml`` for each language with the
trained model, reads the weighted-average F1 of ``intent_report.json``, prints a table
and exits 1 if any language is below ``--min-f1``.

Usage: python scripts/check_nlu_f1.py [--model models/merchant-assistant.tar.gz]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "fr", "es")
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"


def run_heldout(rasa: Path, model: Path, lang: str, out_root: Path) -> float:
    """Test the model on one language's held-out file; return the weighted intent F1."""
    out = out_root / f"nlu-{lang}"
    command = [
        str(rasa),
        "test",
        "nlu",
        "--model",
        str(model),
        "--nlu",
        str(ROOT / "tests" / "nlu" / f"heldout_{lang}.yml"),
        "--out",
        str(out),
        "--no-plot",
    ]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text())
    return float(report["weighted avg"]["f1-score"])


def main(argv: list[str] | None = None) -> int:
    """Check every language; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "merchant-assistant.tar.gz")
    parser.add_argument("--rasa", type=Path, default=RASA)
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    parser.add_argument("--min-f1", type=float, default=0.90)
    parser.add_argument("--lang", choices=LANGUAGES, action="append")
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"no model at {args.model}: train it first", file=sys.stderr)
        return 2

    rows = []
    for lang in args.lang or LANGUAGES:
        started = time.monotonic()
        f1 = run_heldout(args.rasa, args.model, lang, args.out)
        rows.append((lang, f1, time.monotonic() - started))

    print(f"{'language':<10}{'intent F1':>10}{'seconds':>10}  result")
    for lang, f1, seconds in rows:
        verdict = "ok" if f1 >= args.min_f1 else f"below {args.min_f1:.2f}"
        print(f"{lang:<10}{f1:>10.3f}{seconds:>10.1f}  {verdict}")
    return 0 if all(f1 >= args.min_f1 for _, f1, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
