"""``migrate`` for Python: ``ast`` finds the generators, flows and fits; edits rewrite them.

The pasted code is parsed, never run. Each rewrite is a text edit over the exact span
``ast`` gives a node (a call, a keyword, an import), so everything else in the pasted code,
comments and layout included, is kept as it was; the result is checked with ``compile()``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from augwidgets.tools.diagnose import diagnose
from augwidgets.tools.findings import Finding
from augwidgets.tools.keras3 import keras3_dataset, keras3_pipeline
from augwidgets.tools.literals import number_literal
from augwidgets.tools.migration import (
    Generator,
    Migration,
    Note,
    folder_count_finding,
    is_identity,
    placeholder_function,
    usable_kwargs,
)
from augwidgets.tools.sharing import non_default_kwargs

FLOWS = ("flow_from_directory", "flow", "flow_from_dataframe")
_LEGACY_IMPORT = re.compile(r"(tensorflow\.)?keras\.(src\.legacy\.)?preprocessing(\.image)?$")
_DIRECTORY_ARGS = ("directory", "target_size", "color_mode", "classes", "class_mode",
                   "batch_size", "shuffle", "seed")
_DROPPED_FIT = ("steps_per_epoch", "validation_steps", "workers", "use_multiprocessing",
                "max_queue_size")
_FOLDER_COUNT = re.compile(r"listdir|glob|scandir|os\.walk|list\.files|dir\(")


class _Located(Protocol):
    """A node with a place in the source: an expression, a statement or a keyword."""

    lineno: int
    col_offset: int
    end_lineno: int | None
    end_col_offset: int | None


class _Unknown(Exception):
    pass


def _evaluate(node: ast.AST, names: dict[str, Any]) -> Any:
    """A literal value (numbers, strings, tuples, arithmetic, known constants)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        return [_evaluate(item, names) for item in node.elts]
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _evaluate(node.operand, names)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, names), _evaluate(node.right, names)
        ops: dict[type[ast.operator], Callable[[Any, Any], Any]] = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
               ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
               ast.FloorDiv: lambda a, b: a // b, ast.Pow: lambda a, b: a ** b}
        if type(node.op) in ops and all(isinstance(v, (int, float)) for v in (left, right)):
            return ops[type(node.op)](left, right)
    raise _Unknown


def _called(node: ast.AST) -> str | None:
    """``ImageDataGenerator`` for ``ImageDataGenerator(...)`` or ``x.y.ImageDataGenerator(...)``."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


class PythonMigration:
    """One conversion: collect the edits, apply them, check that the result compiles."""

    def __init__(self, source: str, tree: ast.Module, to: str):
        self.source, self.tree, self.to = source, tree, to
        self.lines = source.splitlines(keepends=True)
        self.names: dict[str, Any] = {}
        self.generators: dict[str, Generator] = {}
        self.found: list[Generator] = []
        self.edits: list[tuple[int, int, str]] = []
        self.header: tuple[int, str] | None = None
        self.notes: list[Note] = []
        self.findings: list[Finding] = []

    # ------------------------------------------------------------------ positions
    def _offset(self, line: int, col: int) -> int:
        before = sum(len(text) for text in self.lines[:line - 1])
        return before + len(self.lines[line - 1].encode()[:col].decode(errors="replace"))

    def _span(self, node: _Located) -> tuple[int, int]:
        if node.end_lineno is None or node.end_col_offset is None:  # parsed nodes have both
            raise ValueError(f"no end position for the node at line {node.lineno}")
        return (self._offset(node.lineno, node.col_offset),
                self._offset(node.end_lineno, node.end_col_offset))

    def _text(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)

    def _indent(self, node: _Located) -> str:
        line = self.lines[node.lineno - 1]
        return line[:len(line) - len(line.lstrip())]

    def _replace(self, node: _Located, code: str) -> None:
        start, end = self._span(node)
        indent = self._indent(node)
        self.edits.append((start, end, code.replace("\n", "\n" + indent)))

    def note(self, node: _Located, text: str) -> None:
        self.notes.append(Note(node.lineno, text))

    # ---------------------------------------------------------------------- passes
    def run(self) -> Migration:
        # Expressions and statements: the passes below look at nothing else.
        nodes: list[ast.expr | ast.stmt] = sorted(
            (n for n in ast.walk(self.tree) if isinstance(n, ast.expr | ast.stmt)),
            key=lambda n: (n.lineno, n.col_offset))
        for node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                try:
                    self.names[node.targets[0].id] = _evaluate(node.value, self.names)
                except _Unknown:
                    pass
                if isinstance(node.value, ast.Call) and _called(node.value) == "ImageDataGenerator":
                    self.generators[node.targets[0].id] = self._generator(
                        node.value, node.targets[0].id)
            elif isinstance(node, ast.Call) and _called(node) == "ImageDataGenerator" and not any(
                    g.line == node.lineno for g in self.found):
                self._generator(node, None)
        flows = [n for n in nodes if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Attribute) and n.func.attr in FLOWS]
        fits = [n for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr in ("fit", "fit_generator")]
        flow_names = self._flow_names(nodes)
        validation_flows = self._validation_names(fits)
        for flow in flows:
            self._flow(flow, flow_names.get(id(flow)), validation_flows)
        for fit in fits:
            self._fit(fit)
        self._imports(nodes)
        for generator in self.found:
            self._diagnose(generator)
            for argument in generator.unread:
                if argument not in generator.kwargs:
                    self.notes.append(Note(generator.line, f"{argument} is not a valid setting "
                                           "(see the findings) and is left out"))
        code = self._apply()
        compile(code, "<migrated>", "exec")  # the promise: what we return compiles
        self.notes.sort(key=lambda n: n.line)
        return Migration("python", self.to, code, self.notes, self.findings, self.found)

    def _generator(self, call: ast.Call, name: str | None) -> Generator:
        kwargs, unread = {}, {}
        for keyword in call.keywords:
            if keyword.arg is None:
                unread["**"] = self._text(keyword.value)
                continue
            try:
                kwargs[keyword.arg] = _evaluate(keyword.value, self.names)
            except _Unknown:
                if keyword.arg == "preprocessing_function":
                    kwargs[keyword.arg] = placeholder_function(self._text(keyword.value).split(".")[-1])
                else:
                    unread[keyword.arg] = self._text(keyword.value)
        generator = Generator(name, call.lineno, kwargs, unread)
        generator.call = call
        self.found.append(generator)
        for argument, text in unread.items():
            self.note(call, f"{argument}={text} could not be read without running the code; "
                            "it is left out of the translation and the checks")
        return generator

    def _flow_names(self, nodes: Sequence[ast.AST]) -> dict[int, str]:
        names: dict[int, str] = {}
        for node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                names[id(node.value)] = node.targets[0].id
        return names

    def _validation_names(self, fits: list[ast.Call]) -> set[str]:
        names: set[str] = set()
        for fit in fits:
            for keyword in fit.keywords:
                if keyword.arg == "validation_data" and isinstance(keyword.value, ast.Name):
                    names.add(keyword.value.id)
        return names

    def _owner(self, flow: ast.Call) -> Generator | None:
        if not isinstance(flow.func, ast.Attribute):
            return None
        value = flow.func.value
        if isinstance(value, ast.Name):
            return self.generators.get(value.id)
        if _called(value) == "ImageDataGenerator":
            return next((g for g in self.found if g.call is value), None)
        return None

    def _flow(self, flow: ast.Call, target: str | None, validation_flows: set[str]) -> None:
        generator = self._owner(flow)
        if generator is None or not isinstance(flow.func, ast.Attribute):
            return
        args = dict(zip(_DIRECTORY_ARGS, flow.args))
        args.update({k.arg: k.value for k in flow.keywords if k.arg})
        values: dict[str, Any] = {}
        for key, node in args.items():
            try:
                values[key] = _evaluate(node, self.names)
            except _Unknown:
                pass
        subset = values.get("subset")
        role = ("validation" if subset == "validation" or (target and target in validation_flows)
                or (target and re.search(r"val|test", target, re.I) and subset != "training")
                else "training")
        generator.roles.add(role)
        if isinstance(values.get("target_size"), list) and len(values["target_size"]) == 2:
            rows, cols = values["target_size"]
            generator.target_size = (int(rows), int(cols))
        if isinstance(values.get("batch_size"), int):
            generator.batch_size = values["batch_size"]
        if self.to != "keras3":
            return
        method = flow.func.attr
        if method == "flow_from_dataframe":
            self.note(flow, "flow_from_dataframe has no Keras 3 counterpart: it is kept as it "
                            "was (convert with to='augwidgets' to keep it working)")
            return
        augment = generator.name if generator.name and self._has_layers(generator) else None
        training = role == "training"
        if role == "validation" and augment and not is_identity(generator.kwargs):
            self.note(flow, "validation data: the layers run with training=False, so only the "
                            "rescaling applies (the pasted code augmented validation images)")
        if method == "flow":
            self._array_flow(flow, args, values, augment, training)
        else:
            self._directory_flow(flow, args, values, generator, augment, training)

    def _has_layers(self, generator: Generator) -> bool:
        lines, _c, _n = keras3_pipeline(non_default_kwargs(usable_kwargs(generator)),
                                        generator.target_size)
        return len(lines) > 2

    def _directory_flow(self, flow: ast.Call, args: dict[str, ast.expr], values: dict[str, Any],
                        generator: Generator, augment: str | None, training: bool) -> None:
        text = {key: self._text(node) for key, node in args.items()}
        image_size = text.get("target_size", "(256, 256)")
        mode = values.get("class_mode", "categorical")
        if mode not in ("categorical", "binary", "sparse", None):
            self.note(flow, f"class_mode={mode!r} has no label_mode; categorical is used")
        extra = []
        for legacy, new in (("color_mode", "color_mode"), ("classes", "class_names"),
                            ("shuffle", "shuffle"), ("follow_links", "follow_links")):
            if legacy in text:
                extra.append((new, text[legacy]))
        if "keep_aspect_ratio" in text:
            extra.append(("crop_to_aspect_ratio", text["keep_aspect_ratio"]))
        split = generator.kwargs.get("validation_split")
        if values.get("subset") and split:
            seed = text.get("seed", "1337")
            extra += [("validation_split", number_literal(split)),
                      ("subset", repr(values["subset"])), ("seed", seed)]
            self.note(flow, "subset: Keras 3 shuffles the files with the seed before splitting; "
                            "legacy takes the first validation_split of each class in order, so "
                            "the two pick different images" + ("" if "seed" in text else
                                                               "; both subsets need the same seed"))
        elif "seed" in text:
            extra.append(("seed", text["seed"]))
        for dropped in ("save_to_dir", "save_prefix", "save_format", "interpolation"):
            if dropped in text:
                self.note(flow, f"{dropped} is not translated")
        lines = keras3_dataset(text.get("directory", '"."'), name="_", image_size=image_size,
                               batch_size=text.get("batch_size", "32"),
                               class_mode=mode, extra=tuple(extra))
        code = "\n".join(lines)[len("_ = "):]
        if augment:
            code += f".map(lambda x, y: ({augment}(x, training={training}), y))"
        self._replace(flow, code)

    def _array_flow(self, flow: ast.Call, args: dict[str, ast.expr], values: dict[str, Any],
                    augment: str | None, training: bool) -> None:
        x_node = flow.args[0] if flow.args else args.get("x")
        if x_node is None:
            raise ValueError("flow() needs the images: flow(x, y). Received: no x")
        x = self._text(x_node)
        y = self._text(flow.args[1]) if len(flow.args) > 1 else (
            self._text(args["y"]) if "y" in args else None)
        batch = self._text(args["batch_size"]) if "batch_size" in args else "32"
        data = f"({x}, {y})" if y else x
        shuffle = values.get("shuffle", True)
        code = f"tf.data.Dataset.from_tensor_slices({data})"
        if shuffle:
            code += f".shuffle({('len(' + x + ')') if x.isidentifier() else 10000})"
        code += f".batch({batch})"
        if augment:
            body = f"({augment}(x, training={training}), y)" if y else \
                f"{augment}(x, training={training})"
            code += f".map(lambda x{', y' if y else ''}: {body})"
        self._replace(flow, code)
        self.needs_tf = True
        self.note(flow, "flow(x, y) becomes a tf.data pipeline (TensorFlow backend); with "
                        "another backend put the layers at the start of the model instead")

    def _fit(self, fit: ast.Call) -> None:
        for keyword in fit.keywords:
            if keyword.arg in ("steps_per_epoch", "validation_steps"):
                text = self._text(keyword.value)
                if _FOLDER_COUNT.search(text):
                    self.findings.append(folder_count_finding(keyword.arg, text, keyword.lineno))
        if not isinstance(fit.func, ast.Attribute):
            return
        if self.to == "augwidgets" and fit.func.attr == "fit":
            return
        start, _ = self._span(fit.func)
        _, end = self._span(fit.func)
        if fit.func.attr == "fit_generator":
            self.edits.append((end - len("fit_generator"), end, "fit"))
            self.note(fit, "fit_generator is gone from Keras 3: fit takes the data directly")
        items: list[ast.expr | ast.keyword] = sorted([*fit.args, *fit.keywords],
                                                      key=lambda n: (n.lineno, n.col_offset))
        for i, item in enumerate(items):
            if not isinstance(item, ast.keyword) or item.arg is None \
                    or item.arg not in _DROPPED_FIT:
                continue
            if item.arg in ("steps_per_epoch", "validation_steps") and self.to == "augwidgets" \
                    and not _FOLDER_COUNT.search(self._text(item.value)):
                continue
            _, stop = self._span(item)
            if i > 0:
                begin = self._span(items[i - 1])[1]
            elif len(items) > 1:
                begin, stop = self._span(item)[0], self._span(items[1])[0]
            else:
                begin = self._span(item)[0]
            self.edits.append((begin, stop, ""))
            self.note(item, f"{item.arg} removed: " + (
                "Keras 3 fit counts the batches itself (len of the dataset)"
                if "steps" in item.arg else "Keras 3 fit has no such argument"))

    def _imports(self, nodes: Sequence[ast.AST]) -> None:
        first = None
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and first is None:
                first = node
            if isinstance(node, ast.ImportFrom) and node.module and \
                    _LEGACY_IMPORT.match(node.module) and \
                    any(a.name == "ImageDataGenerator" for a in node.names):
                kept = [a for a in node.names if a.name != "ImageDataGenerator"]
                code = (f"from {node.module} import " + ", ".join(
                    a.name + (f" as {a.asname}" if a.asname else "") for a in kept)) if kept else ""
                if self.to == "augwidgets":
                    code = "from augwidgets import ImageDataGenerator" + ("\n" + code if code else "")
                self._replace(node, code)
        header = []
        if self.to == "keras3" and self.found and not re.search(r"^import keras\b", self.source,
                                                              re.M):
            header.append("import keras")
        if getattr(self, "needs_tf", False) and not re.search(
                r"^import tensorflow as tf\b", self.source, re.M):
            header.append("import tensorflow as tf")
        if self.to == "augwidgets" and any(
                isinstance(g.call.func, ast.Attribute) for g in self.found):
            header.append("import augwidgets")
            for generator in self.found:
                if isinstance(generator.call.func, ast.Attribute):
                    self._replace(generator.call.func, "augwidgets.ImageDataGenerator")
        if header:
            at = self._offset(first.lineno, 0) if first is not None else 0
            self.header = (at, "\n".join(header) + "\n")
        if self.to == "keras3":
            for generator in self.found:
                self._convert_generator(generator)

    def _convert_generator(self, generator: Generator) -> None:
        settings = non_default_kwargs(usable_kwargs(generator))
        lines, comments, notes = keras3_pipeline(settings, generator.target_size, name="_")
        code = "\n".join(lines)[len("_ = "):]
        self._replace(generator.call, code)
        for text in notes + [c.lstrip("# ") for c in comments]:
            self.notes.append(Note(generator.line, text))
        if comments:
            statement = next(n for n in ast.walk(self.tree) if isinstance(n, ast.stmt)
                             and n.lineno <= generator.line <= (n.end_lineno or n.lineno)
                             and not hasattr(n, "body"))
            at = self._offset(statement.lineno, 0)
            indent = self._indent(statement)
            self.edits.append((at, at, "".join(f"{indent}{c}\n" for c in comments)))
        if generator.name is None:
            self.note(generator.call, "a generator not assigned to a variable becomes an "
                                      "unnamed layer pipeline")

    def _diagnose(self, generator: Generator) -> None:
        role = "validation" if "validation" in generator.roles else "training"
        seen = {(f.parameter, f.message) for f in self.findings}
        for finding in diagnose(usable_kwargs(generator), role=role, batch_size=generator.batch_size,
                                target_size=generator.target_size):
            where = f"line {generator.line}" + (f" ({generator.name})" if generator.name else "")
            if role == "validation" and finding.message.startswith("This generator is used for "
                                                                    "validation"):
                uses = " and ".join(sorted(generator.roles))
                finding = Finding(finding.parameter, finding.severity,
                                  f"used for {uses}: " + finding.message)
            moved = Finding(finding.parameter, finding.severity, f"{where}: {finding.message}")
            if (moved.parameter, moved.message) not in seen:
                self.findings.append(moved)

    def _apply(self) -> str:
        code = "".join(self.lines)
        taken: list[tuple[int, int]] = []
        edits = sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True)
        if self.header is not None:  # last at its offset, so it lands before the rest
            at = self.header[0]
            place = next((i for i, e in enumerate(edits) if e[0] < at), len(edits))
            edits.insert(place, (at, at, self.header[1]))
        for start, end, text in edits:
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue  # inside an edit already made
            code = code[:start] + text + code[end:]
            if end > start:
                taken.append((start, end))
        return code


