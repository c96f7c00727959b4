"""``python -m textprofile.demo_corpus [--out DIR] [--seed N]``: regenerate the demo corpus."""

from __future__ import annotations

import argparse
import sys

from textprofile.demo_corpus import DEFAULT_CUSTOMERS, DEFAULT_SEED, generate_demo_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m textprofile.demo_corpus", description=__doc__)
    parser.add_argument("--out", default="corpora/demo", help="output folder (default: corpora/demo)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    args = parser.parse_args(argv)
    paths = generate_demo_corpus(args.out, seed=args.seed, n_customers=args.customers)
    for path in paths.values():
        sys.stderr.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
