r"""A small tokenizer and expression parser for pasted R code (never run).

It understands what course code uses around an image generator: assignments (``<-``,
``=``, ``->``), calls with named arguments, pipes (``%>%``, ``|>``; ``desugar`` turns
``a %>% f(b)`` into the call ``f(a, b)``), ``$``, ``::``, arithmetic, ``c(...)``, blocks
and ``function``/``if``/``for`` bodies. Every node keeps its character span, so a caller
can rewrite exactly the text of one call.

Examples:
    >>> [node.kind for node in Parser("x <- f(1, b = 2)\ny %>% g()").program()]
    ['assign', 'binary']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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
