"""``migrate`` for R: pasted R keras code rewritten for the R ``keras3`` package.

R is never run: ``tools.r_parser`` reads it (pipes become the piped value as the first
argument, function bodies are searched too). This module finds
``image_data_generator(...)``, ``flow_images_from_directory(...)`` /
``flow_images_from_data(...)`` and ``fit``/``fit_generator`` calls, and rewrites them for
the R ``keras3`` package (``"r-keras3"``) with ``tools.codegen``'s layer plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from augwidgets.tools.diagnose import diagnose
from augwidgets.tools.findings import Finding
from augwidgets.tools.keras3 import keras3_dataset, keras3_pipeline
from augwidgets.tools.migration import (
    Generator,
    Migration,
    Note,
    folder_count_finding,
    is_identity,
    placeholder_function,
    usable_kwargs,
)
from augwidgets.tools.r_parser import Node, Parser, RSyntaxError, desugar, evaluate, walk
from augwidgets.tools.sharing import non_default_kwargs

FLOW_ARGS = ("directory", "generator", "target_size", "color_mode", "classes", "class_mode",
             "batch_size", "shuffle", "seed")


def migrate_r(source: str, to: str) -> Migration:
    """Convert R ``source`` to ``"r-keras3"`` or ``"augwidgets"`` (the augwidgets R package,
    a drop-in for R keras 2.x); see ``tools.migrate.migrate``."""
    try:
        statements = Parser(source).program()
    except RSyntaxError as error:
        raise ValueError(f"`source` is neither valid Python nor R that this parser reads "
                         f"({error}). Received: source={source[:60]!r}...") from None
    keras3 = to == "r-keras3"
    line_of = _line_numbers(source)
    names: dict[str, Any] = {}
    generators: dict[str, Generator] = {}
    found: list[Generator] = []
    edits: list[tuple[int, int, str]] = []
    notes: list[Note] = []
    findings: list[Finding] = []
    flows: list[tuple[str | None, Node]] = []
    fits: list[Node] = []
    validation: set[str] = set()
    seen: set[int] = set()
    for node in walk(statements):
        target = None
        value = node
        if node.kind == "assign":
            target_node, value = node.children
            target = target_node.value if target_node.kind == "name" else None
            value = desugar(value)
            if target:
                try:
                    names[target] = evaluate(value, names)
                except (KeyError, TypeError, ZeroDivisionError):
                    pass
        value = desugar(value)
        if value.kind != "call" or value.end in seen:
            continue
        seen.add(value.end)  # a piped call is met again as the pipe's right-hand side
        if value.value == "image_data_generator" and not any(g.call.start == value.start
                                                             for g in found):
            kwargs, unread = {}, {}
            for name, arg in value.children:
                try:
                    kwargs[name] = evaluate(arg, names)
                except (KeyError, TypeError, ZeroDivisionError):
                    if name == "preprocessing_function":
                        kwargs[name] = placeholder_function(source[arg.start:arg.end])
                    else:
                        unread[str(name)] = source[arg.start:arg.end]
            generator = Generator(target, line_of(value.start), kwargs, unread)
            generator.call = value
            found.append(generator)
            if target:
                generators[target] = generator
        elif value.value in ("flow_images_from_directory", "flow_images_from_data"):
            flows.append((target, value))
        elif value.value in ("fit", "fit_generator"):
            fits.append(value)
            for name, arg in value.children:
                if name == "validation_data" and arg.kind == "name":
                    validation.add(arg.value)
        elif value.value == "library" and value.children and \
                value.children[0][1].kind == "name" and value.children[0][1].value == "keras":
            arg = value.children[0][1]
            edits.append((arg.start, arg.end, "keras3" if keras3 else "augwidgets"))
            if not keras3:
                notes.append(Note(line_of(arg.start), "library(augwidgets): the augwidgets R "
                                  "package gives image_data_generator(), flow_images_*() and "
                                  "fit() the arguments of R keras 2.x, on augwidgets' generator"))

    for target, call in flows:
        args = _arguments(call, FLOW_ARGS)
        owner = args.get("generator")
        owned = generators.get(owner.value) if owner is not None and owner.kind == "name" \
            else None
        if owned is None:
            continue
        generator = owned
        text = {key: source[node.start:node.end] for key, node in args.items()}
        values = {}
        for key, node in args.items():
            try:
                values[key] = evaluate(node, names)
            except (KeyError, TypeError, ZeroDivisionError):
                pass
        role = ("validation" if values.get("subset") == "validation" or (target in validation)
                or (target and re.search(r"val|test", target, re.I)
                    and values.get("subset") != "training") else "training")
        generator.roles.add(role)
        size = values.get("target_size")
        if isinstance(size, list) and len(size) == 2:
            generator.target_size = (int(size[0]), int(size[1]))
        if isinstance(values.get("batch_size"), int):
            generator.batch_size = values["batch_size"]
        if not keras3:
            continue
        if call.value == "flow_images_from_data":
            notes.append(Note(line_of(call.start), "flow_images_from_data has no keras3 "
                                                   "counterpart: kept as it was"))
            continue
        has_layers = bool(keras3_pipeline(non_default_kwargs(usable_kwargs(generator)),
                                          generator.target_size, r=True)[0])
        augment = generator.name if has_layers and generator.name else None
        if role == "validation" and augment and not is_identity(generator.kwargs):
            notes.append(Note(line_of(call.start), "validation data: the layers run with "
                              "training = FALSE, so only the rescaling applies (the pasted "
                              "code augmented validation images)"))
        extra = [(new, text[old]) for old, new in (("color_mode", "color_mode"),
                                                    ("classes", "class_names"),
                                                    ("shuffle", "shuffle"), ("seed", "seed"))
                 if old in text]
        mode = values.get("class_mode", "categorical")
        lines = keras3_dataset(text.get("directory", '"."'), name="._",
                               image_size=text.get("target_size", "c(256, 256)"),
                               batch_size=text.get("batch_size", "32"),
                               class_mode=mode, extra=tuple(extra),
                               r=True)
        code = "\n".join(lines)[len("._ <- "):]
        if augment:
            code += (" |>\n  tfdatasets::dataset_map(function(x, y) list("
                     f"{augment}(x, training = {'TRUE' if role == 'training' else 'FALSE'}), y))")
        edits.append((call.start, call.end, code))

    for fit in fits:
        function_end = _function_name_end(source, fit)
        if fit.value == "fit_generator" and function_end is not None:
            edits.append((function_end - len("fit_generator"), function_end, "fit"))
            notes.append(Note(line_of(fit.start), "fit_generator is gone: fit takes the "
                                                  "generator or dataset directly"))
        items = fit.children
        for i, (name, arg) in enumerate(items):
            if name not in ("steps_per_epoch", "validation_steps"):
                continue
            steps = source[arg.start:arg.end]
            counted = re.search(r"list\.files|dir\(|length\(", steps)
            if counted:
                findings.append(folder_count_finding(name, steps, line_of(arg.start)))
            elif not keras3:
                continue
            begin = items[i - 1][1].end if i > 0 else _name_start(source, arg.start, name)
            edits.append((begin, arg.end, ""))
            notes.append(Note(line_of(arg.start), f"{name} removed: fit counts the batches "
                                                  "itself"))

    for generator in found:
        _diagnose(generator, findings)
        if not keras3:
            continue
        settings = non_default_kwargs(usable_kwargs(generator))
        lines, comments, layer_notes = keras3_pipeline(settings, generator.target_size,
                                                       name="._", r=True, inline_notes=False)
        code = "\n".join(lines)[len("._ <- "):] if lines else "NULL"
        start = generator.call.start
        line_start = source.rfind("\n", 0, start) + 1
        blank = re.match(r"[ \t]*", source[line_start:])  # matches, if only the empty string
        indent = blank.group() if blank is not None else ""
        edits.append((start, generator.call.end, code.replace("\n", "\n" + indent)))
        header = [f"# {text}" for text in layer_notes] + comments
        if header:
            edits.append((line_start, line_start, "".join(f"{indent}{c}\n" for c in header)))
        notes += [Note(generator.line, text) for text in layer_notes]
        notes += [Note(generator.line, c.lstrip("# ")) for c in comments]
        notes += [Note(generator.line, f"{a} = {t} could not be read without running the code")
                  for a, t in generator.unread.items()]
    code = _apply(source, edits)
    notes.sort(key=lambda n: n.line)
    return Migration("r", to, code, notes, findings, found)


def _diagnose(generator: Generator, findings: list[Finding]) -> None:
    role = "validation" if "validation" in generator.roles else "training"
    where = f"line {generator.line}" + (f" ({generator.name})" if generator.name else "")
    for finding in diagnose(generator.kwargs, role=role, batch_size=generator.batch_size,
                            target_size=generator.target_size):
        findings.append(Finding(finding.parameter, finding.severity,
                                f"{where}: {finding.message}"))


def _arguments(call: Node, order: tuple[str, ...]) -> dict[str, Node]:
    named = {name: node for name, node in call.children if name}
    positional = [node for name, node in call.children if not name]
    free = [name for name in order if name not in named]
    named.update(zip(free, positional))
    return named


def _function_name_end(source: str, call: Node) -> int | None:
    match = re.search(rf"\b{call.value}\s*\(", source[call.start:call.end])
    return call.start + match.start() + len(call.value) if match else None


def _name_start(source: str, value_start: int, name: str) -> int:
    return source.rfind(name, 0, value_start)


def _line_numbers(source: str) -> Callable[[int], int]:
    starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]

    def line_of(offset: int) -> int:
        import bisect
        return bisect.bisect_right(starts, offset)
    return line_of


def _apply(source: str, edits: list[tuple[int, int, str]]) -> str:
    taken: list[tuple[int, int]] = []
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        source = source[:start] + text + source[end:]
        if end > start:
            taken.append((start, end))
    return source
