"""The ``augwidgets`` console script: ``augwidgets check DIR`` and ``augwidgets migrate FILE``.

``check`` prints the dataset doctor's findings (``tools.check``), or its report as JSON
with ``--json``, and exits with status 1 when there are errors, so a course's setup script
or CI can stop on a folder that will not train honestly. ``migrate`` reads Python or R code
from a file or standard input (``-``), never runs it, and prints the converted code, then
the notes and findings (``tools.migrate``); ``--json`` prints them as data.

Examples:
    $ augwidgets check data/train --validation data/validation
    $ augwidgets migrate old_course.py --to keras3 > new_course.py
"""

from __future__ import annotations

import argparse
import json
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="augwidgets",
                                     description="Check image folders and migrate "
                                                 "ImageDataGenerator code.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a class-per-folder dataset before training")
    check.add_argument("directory", help="the training folder (one sub-folder per class)")
    check.add_argument("--validation", help="the validation folder, if separate")
    check.add_argument("--target-size", type=int, nargs=2, metavar=("HEIGHT", "WIDTH"),
                       help="the size you mean to train at")
    check.add_argument("--near-distance", type=int, default=6,
                       help="perceptual-hash bits two near duplicates may differ in (0-7)")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--no-progress", action="store_true", help="no progress bar")
    migrate = commands.add_parser("migrate", help="convert pasted ImageDataGenerator code")
    migrate.add_argument("file", help="a .py or .R file, or - for standard input")
    migrate.add_argument("--to", default="keras3", choices=("keras3", "r-keras3", "augwidgets"))
    migrate.add_argument("--language", choices=("python", "r"),
                         help="the pasted code's language (default: guessed)")
    migrate.add_argument("--json", action="store_true",
                         help="print code, notes and findings as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        return _migrate(args)
    except ValueError as error:
        print(f"augwidgets {args.command}: {error}", file=sys.stderr)
        return 2


def _check(args: argparse.Namespace) -> int:
    from augwidgets.tools.check import check_dataset

    report = check_dataset(args.directory, args.validation,
                           target_size=tuple(args.target_size) if args.target_size else None,
                           progress=not (args.no_progress or args.json),
                           near_distance=args.near_distance)
    print(json.dumps(report.to_dict(), indent=1) if args.json else str(report))
    return 0 if report.ok else 1


def _migrate(args: argparse.Namespace) -> int:
    from augwidgets.tools.migrate import migrate

    if args.file == "-":
        source = sys.stdin.read()
    else:
        with open(args.file, encoding="utf-8") as handle:
            source = handle.read()
    language = args.language
    if language is None and args.file.lower().endswith(".r"):
        language = "r"
    result = migrate(source, to=args.to, language=language)
    if args.json:
        print(json.dumps({
            "language": result.language, "to": result.to, "code": result.code,
            "notes": [{"line": n.line, "text": n.text} for n in result.notes],
            "findings": [{"severity": f.severity, "topic": f.parameter, "message": f.message}
                         for f in result.findings]}, indent=1))
    else:
        print(result.report())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
