"""``migrate`` for R: a small tokenizer and expression parser for pasted R keras code.

R is never run. The parser understands what course code uses around the generator:
assignments (``<-``, ``=``, ``->``), calls with named arguments, pipes (``%>%``, ``|>``,
rewritten as the piped value becoming the first argument), ``$``, ``::``, arithmetic,
``c(...)``, blocks and ``function``/``if``/``for`` bodies (searched too). It finds
``image_data_generator(...)``, ``flow_images_from_directory(...)`` /
``flow_images_from_data(...)`` and ``fit``/``fit_generator`` calls, and rewrites them for
the R ``keras3`` package (``"r-keras3"``) with ``tools.codegen``'s layer plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from augwidgets.tools.codegen import keras3_dataset, keras3_pipeline
from augwidgets.tools.diagnose import Finding, diagnose

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<newline>\n)
  | (?P<space>[ \t\r\f]+)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?L?)
  | (?P<name>`[^`]+`|[A-Za-z.][A-Za-z0-9._]*)
  | (?P<op>%[^%\n]*%|<<-|<-|->|\|>|::|==|!=|<=|>=|&&|\|\||[-+*/^(){}\[\],$=<>!&|~?:@;])
""", re.VERBOSE)
_BINARY = {"|>": 3, "%": 8, "~": 2, "||": 4, "&&": 5, "|": 4, "&": 5, "==": 6, "!=": 6,
           "<": 6, ">": 6, "<=": 6, ">=": 6, "+": 7, "-": 7, "*": 9, "/": 9, ":": 10, "^": 12}
FLOW_ARGS = ("directory", "generator", "target_size", "color_mode", "classes", "class_mode",
             "batch_size", "shuffle", "seed")


@dataclass
class Node:
    kind: str  # name, number, string, call, binary, unary, assign, block, other
    start: int
    end: int
    value: Any = None
    children: list[Any] = field(default_factory=list)  # call: [(name|None, Node)]


class RSyntaxError(ValueError):
    pass


def tokenize(source: str) -> list[tuple[str, str, int, int]]:
    tokens, position = [], 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if not match:
            raise RSyntaxError(f"unexpected character {source[position]!r} at offset {position}")
        kind = match.lastgroup
        if kind not in ("space", "comment"):
            tokens.append((kind, match.group(), match.start(), match.end()))
        position = match.end()
    tokens.append(("end", "", len(source), len(source)))
    return tokens


class Parser:
    def __init__(self, source: str):
        self.tokens = tokenize(source)
        self.i = 0
        self.depth = 0  # inside () or []: newlines do not end an expression

    def peek(self) -> tuple[str, str, int, int]:
        while self.depth and self.tokens[self.i][0] == "newline":
            self.i += 1
        return self.tokens[self.i]

    def take(self, text: str | None = None) -> tuple[str, str, int, int]:
        token = self.peek()
        if text is not None and token[1] != text:
            raise RSyntaxError(f"expected {text!r} at offset {token[2]}, found {token[1]!r}")
        self.i += 1
        return token

    def skip_newlines(self) -> None:
        while self.tokens[self.i][0] in ("newline",) or self.tokens[self.i][1] == ";":
            self.i += 1

    def program(self, closing: str = "") -> list[Node]:
        statements = []
        self.skip_newlines()
        while self.peek()[0] != "end" and self.peek()[1] != closing:
            statements.append(self.expression(0))
            self.skip_newlines()
        return statements

    def expression(self, power: int) -> Node:
        left = self.prefix()
        while True:
            kind, text, start, _ = self.peek()
            if kind != "op":
                return left
            if text in ("<-", "<<-", "=") and power <= 1:
                self.take()
                self.skip_newlines()
                value = self.expression(1)
                left = Node("assign", left.start, value.end, text, [left, value])
                continue
            if text == "->" and power <= 1:
                self.take()
                target = self.expression(2)
                left = Node("assign", left.start, target.end, text, [target, left])
                continue
            if text in ("(",):
                left = self.call(left)
                continue
            if text in ("$", "@", "::"):
                self.take()
                name = self.take()
                left = Node("name", left.start, name[3], f"{self._name(left)}{text}{name[1]}")
                continue
            if text == "[":
                left = self.bracketed(left)
                continue
            key = "%" if text.startswith("%") else text
            if key not in _BINARY or _BINARY[key] < power or (_BINARY[key] == power and
                                                                key != "^"):
                return left
            self.take()
            self.skip_newlines()
            right = self.expression(_BINARY[key] + (0 if key == "^" else 1))
            left = Node("binary", left.start, right.end, text, [left, right])

    @staticmethod
    def _name(node: Node) -> str:
        return node.value if node.kind == "name" else "?"

    def prefix(self) -> Node:
        kind, text, start, end = self.take()
        if kind == "number":
            return Node("number", start, end, float(text.rstrip("L")) if not text.endswith("L")
                        and ("." in text or "e" in text.lower()) else int(float(text.rstrip("L"))))
        if kind == "string":
            return Node("string", start, end, bytes(text[1:-1], "utf-8").decode("unicode_escape"))
        if kind == "name":
            if text == "function":
                self.skip_balanced("(")
                body = self.expression(1)
                return Node("other", start, body.end, "function", [body])
            if text in ("if", "for", "while"):
                self.skip_balanced("(")
                body = self.expression(1)
                nodes = [body]
                if self.tokens[self.i][1] == "else":
                    self.take()
                    nodes.append(self.expression(1))
                return Node("other", start, nodes[-1].end, text, nodes)
            return Node("name", start, end, text.strip("`"))
        if text in ("-", "+", "!", "~"):
            operand = self.expression(11)
            return Node("unary", start, operand.end, text, [operand])
        if text == "(":
            self.depth += 1
            inner = self.expression(0)
            self.depth -= 1
            close = self.take(")")
            return Node(inner.kind, start, close[3], inner.value, inner.children)
        if text == "{":
            saved, self.depth = self.depth, 0
            body = self.program("}")
            self.depth = saved
            close = self.take("}")
            return Node("block", start, close[3], None, body)
        raise RSyntaxError(f"unexpected {text!r} at offset {start}")

    def skip_balanced(self, opening: str) -> None:
        self.take(opening)
        self.depth += 1
        level = 1
        while level:
            token = self.take()
            if token[0] == "end":
                raise RSyntaxError("unbalanced parentheses")
            level += token[1] in "([{" and token[0] == "op"
            level -= token[1] in ")]}" and token[0] == "op"
        self.depth -= 1

    def bracketed(self, left: Node) -> Node:
        self.skip_balanced("[")
        return Node("other", left.start, self.tokens[self.i - 1][3], "index", [left])

    def call(self, function: Node) -> Node:
        self.take("(")
        self.depth += 1
        args: list[tuple[str | None, Node]] = []
        while self.peek()[1] != ")":
            name = None
            kind, text, _, _ = self.peek()
            following = self.tokens[self.i + 1]
            if kind in ("name", "string") and following[1] == "=":
                name = text.strip("`\"'")
                self.i += 2
            args.append((name, self.expression(2)))
            if self.peek()[1] == ",":
                self.take()
        self.depth -= 1
        close = self.take(")")
        return Node("call", function.start, close[3], self._name(function), args)


def walk(nodes: list[Node]):
    for node in nodes:
        yield node
        for child in node.children:
            yield from walk([child[1] if isinstance(child, tuple) else child])


def desugar(node: Node) -> Node:
    """``a %>% f(b)`` and ``a |> f(b)`` as the call ``f(a, b)`` (same span)."""
    if node.kind == "binary" and node.value in ("%>%", "|>"):
        left, right = node.children
        if right.kind == "call":
            return Node("call", node.start, node.end, right.value,
                        [(None, desugar(left)), *right.children])
        if right.kind == "name":
            return Node("call", node.start, node.end, right.value, [(None, desugar(left))])
    return node


def evaluate(node: Node, names: dict[str, Any]) -> Any:
    if node.kind in ("number", "string"):
        return node.value
    if node.kind == "name":
        if node.value in ("TRUE", "T", "FALSE", "F", "NULL"):
            return {"TRUE": True, "T": True, "FALSE": False, "F": False, "NULL": None}[node.value]
        if node.value in names:
            return names[node.value]
    if node.kind == "unary" and node.value in "-+":
        value = evaluate(node.children[0], names)
        return -value if node.value == "-" else value
    if node.kind == "binary" and node.value in "+-*/^":
        a, b = (evaluate(child, names) for child in node.children)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "^": a ** b}[node.value]
    if node.kind == "call" and node.value in ("c", "list") and all(
            name is None for name, _ in node.children):
        return [evaluate(child, names) for _, child in node.children]
    raise KeyError(node.kind)


def migrate_r(source: str, to: str):
    from augwidgets.tools.migrate import (
        Generator,
        Migration,
        Note,
        folder_count_finding,
    )
    try:
        statements = Parser(source).program()
    except RSyntaxError as error:
        raise ValueError(f"`source` is neither valid Python nor R that this parser reads "
                         f"({error}). Received: source={source[:60]!r}...") from None
    if to != "r-keras3":
        raise ValueError("`to` must be 'keras3' or 'r-keras3' for R code (augwidgets from R "
                         "goes through reticulate: aw <- reticulate::import('augwidgets')). "
                         f"Received: to={to!r}")
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
                        from augwidgets.tools.migrate import placeholder_function
                        kwargs[name] = placeholder_function(source[arg.start:arg.end])
                    else:
                        unread[str(name)] = source[arg.start:arg.end]
            generator = Generator(target, line_of(value.start), kwargs, unread)
            generator.call = value  # type: ignore[attr-defined]
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
            edits.append((arg.start, arg.end, "keras3"))

    from augwidgets.tools.migrate import is_identity, usable_kwargs
    from augwidgets.tools.sharing import non_default_kwargs

    for target, call in flows:
        args = _arguments(call, FLOW_ARGS)
        owner = args.get("generator")
        generator = generators.get(owner.value) if owner is not None and owner.kind == "name" \
            else None
        if generator is None:
            continue
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
            notes.append(Note(line_of(fit.start), "fit_generator is gone from keras3: fit takes "
                                                  "the data directly"))
        items = fit.children
        for i, (name, arg) in enumerate(items):
            if name not in ("steps_per_epoch", "validation_steps"):
                continue
            text = source[arg.start:arg.end]
            if re.search(r"list\.files|dir\(|length\(", text):
                findings.append(folder_count_finding(name, text, line_of(arg.start)))
            begin = items[i - 1][1].end if i > 0 else _name_start(source, arg.start, name)
            edits.append((begin, arg.end, ""))
            notes.append(Note(line_of(arg.start), f"{name} removed: keras3 fit counts the "
                                                  "batches itself"))

    for generator in found:
        settings = non_default_kwargs(usable_kwargs(generator))
        lines, comments, layer_notes = keras3_pipeline(settings, generator.target_size,
                                                       name="._", r=True, inline_notes=False)
        code = "\n".join(lines)[len("._ <- "):] if lines else "NULL"
        start = generator.call.start
        line_start = source.rfind("\n", 0, start) + 1
        indent = re.match(r"[ \t]*", source[line_start:]).group()
        edits.append((start, generator.call.end, code.replace("\n", "\n" + indent)))
        header = [f"# {text}" for text in layer_notes] + comments
        if header:
            edits.append((line_start, line_start, "".join(f"{indent}{c}\n" for c in header)))
        notes += [Note(generator.line, text) for text in layer_notes]
        notes += [Note(generator.line, c.lstrip("# ")) for c in comments]
        notes += [Note(generator.line, f"{a} = {t} could not be read without running the code")
                  for a, t in generator.unread.items()]
        role = "validation" if "validation" in generator.roles else "training"
        where = f"line {generator.line}" + (f" ({generator.name})" if generator.name else "")
        for finding in diagnose(generator.kwargs, role=role, batch_size=generator.batch_size,
                                target_size=generator.target_size):
            findings.append(Finding(finding.parameter, finding.severity,
                                    f"{where}: {finding.message}"))
    code = _apply(source, edits)
    notes.sort(key=lambda n: n.line)
    return Migration("r", to, code, notes, findings, found)


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


def _line_numbers(source: str):
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
