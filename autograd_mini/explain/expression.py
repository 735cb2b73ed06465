"""Read an expression such as ``tanh(x*w + b)`` safely -- never with ``eval``.

Only a whitelist of Python's syntax is accepted: numbers, names, ``+ - * / **``, unary
minus and plus, parentheses, and calls of the op table's one-input functions
(``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``, ``sin``, ``cos``, ``sqrt``, ``abs``, ...).
Anything else is rejected with an :class:`ExpressionError` that says what and where
(columns count from 1, as an editor shows them), and the usual slips of other notations
get their fix: ``x^2`` → ``x**2``, ``2x`` → ``2*x``, ``x.exp()`` and ``exp x`` →
``exp(x)``, ``x²`` ``×`` ``−`` → ``x**2`` ``*`` ``-``, ``x = 2`` → ``--at x=2``, a Python
keyword as a name (``lambda*x``) → another name.  There are no built-in constants:
``pi`` and ``e`` are names like any other, given a value with ``--at`` (or ``exp(x)``
for ``e**x``).

What a Korean (or Japanese, or Chinese) input method types in its full-width mode --
``０``, ``＊``, ``（x＋１）`` -- is read as the ASCII it stands for (NFKC), one character for
one, so that every column still counts the text as typed.
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
import re
import unicodedata
import warnings
from collections.abc import Mapping

from ..core.engine import Value, apply
from ..core.language import N_, _
from ..core.ops import PRIMITIVES

__all__ = ["ExpressionError", "parse", "functions", "check_size", "nesting", "MAX_LENGTH",
           "MAX_DEPTH"]

# Limits checked on the text itself, before Python's parser sees it: a link or a quiz
# answer is anyone's text, and a deeply nested one (``-`` 1,700 times, ``x+`` 2,000 times)
# overflows the stack of a browser's Python (which then dies with the page).
MAX_LENGTH = 2000
MAX_DEPTH = 250
# Each sign that can put a node one level deeper in the tree: an operator (``**`` once),
# an attribute's dot (not a decimal point), a comma, and the keywords that are operators.
_SIGNS = re.compile(r"\*\*|//|[-+*/%@&|^~<>=!.,:]|\b(?:not|and|or|if|else|lambda|in|is|"
                    r"await|yield|for)\b")
_NUMBER_DOT = re.compile(r"(?<=\d)\.|\.(?=\d)")
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv, ast.Pow: operator.pow}


class ExpressionError(ValueError):
    """The expression is malformed, uses something not allowed, or cannot be evaluated."""


class UnknownName(ExpressionError):
    """The expression uses ``name``, and no value was given for it.  Each reader says how
    to give one: the command line adds ``at_hint`` (``--at x=2``), a page asks for a value
    in the name's box, a quiz says an answer has no names."""

    def __init__(self, message: str, name: str, at_hint: str) -> None:
        super().__init__(message)
        self.name, self.at_hint = name, at_hint


def functions() -> list[str]:
    """The function names an expression may call: the op table's one-input ops."""
    return sorted(name for name, p in PRIMITIVES.items() if p.arity == 1)


def check_size(text: str) -> None:
    """Refuse, before any parsing, text longer than :data:`MAX_LENGTH` characters or
    nested deeper than :data:`MAX_DEPTH` (:func:`nesting`, a scan of its characters).

    Raises:
        ExpressionError: not text, too long, or too deeply nested; one sentence.
    """
    if not isinstance(text, str):
        raise ExpressionError(_("the expression must be text, got {kind}",
                                kind=type(text).__name__))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(_("the expression is longer than {limit} characters ({length}); "
                                "type a shorter one", limit=MAX_LENGTH, length=len(text)))
    depth = nesting(text)
    if depth > MAX_DEPTH:
        raise ExpressionError(_("the expression is nested too deeply: {depth} levels of "
                                "brackets and operators, over the limit of {limit}; type a "
                                "smaller one", depth=depth, limit=MAX_DEPTH))


def nesting(text: str) -> int:
    """How deep ``text``'s tree may be, counted in one scan of its characters (never
    less than the depth of the tree Python's parser would build, but for a few levels of
    its own): each bracket is a level, and within a pair of brackets each operator sign
    or opening bracket may add one (a chain ``x+x+x`` nests to the left, ``- - -x``
    inside out, ``f()()`` call on call): a group's depth is its signs, plus one, plus its
    deepest group's."""
    text = _NUMBER_DOT.sub("0", text)  # 2.5 is a number, not an attribute
    stack = [[0, 0]]  # per open group: [signs in it, deepest group inside]
    at = 0
    for match in re.finditer(r"[(\[{]|[)\]}]", text):
        stack[-1][0] += len(_SIGNS.findall(text, at, match.start()))
        at = match.end()
        if match.group() in "([{":  # a group, or a call or index that may chain: f()()
            stack[-1][0] += 1
            stack.append([0, 0])
        elif len(stack) > 1:
            signs, inner = stack.pop()
            stack[-1][1] = max(stack[-1][1], signs + 1 + inner)
    stack[-1][0] += len(_SIGNS.findall(text, at))
    while len(stack) > 1:  # brackets left open: still levels
        signs, inner = stack.pop()
        stack[-1][1] = max(stack[-1][1], signs + 1 + inner)
    return stack[0][0] + stack[0][1]


def as_typed(text: str) -> str:
    """``text`` with its full-width forms (U+FF01-U+FF5E, and the ideographic space) as the
    ASCII they stand for: NFKC for these characters alone, one for one.  Other
    compatibility characters stay as typed: NFKC would make ``2²`` the number ``22``."""
    return "".join(unicodedata.normalize("NFKC", c) if c in _FULL_WIDTH else c for c in text)


_FULL_WIDTH = {chr(code) for code in range(0xFF01, 0xFF5F)} | {"\u3000"}


def parse(text: str, values: Mapping[str, float]) -> Value:
    """Build the graph of ``text`` with each name a labelled leaf holding ``values[name]``.

    Raises:
        ExpressionError: a syntax error, a construct outside the whitelist, an unknown
            function, a name without a value, a value given but not used, or a domain
            error while evaluating (division by zero, log of a negative number).
    """
    check_size(text)
    text = as_typed(text)
    if not text.strip():
        raise ExpressionError(_("the expression is empty (column 1); write one such as "
                                "x*x + 3*x"))
    shift = len(text) - len(text.lstrip())  # columns are counted in the text as typed
    try:
        with warnings.catch_warnings():  # "1if x": Python warns, we report the error alone
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(_slip(text) or _syntax_message(text, error, shift)) from None
    except (ValueError, RecursionError, MemoryError) as error:  # NUL bytes, deep nesting
        raise ExpressionError(_("cannot read the expression: {kind}",
                                kind=type(error).__name__)) from None
    _fix_column_offsets(tree, text.strip(), shift)
    _catch_slips(tree, text)
    _catch_operators(tree, text)
    _catch_constants(tree, text, values)
    leaves = {name: Value(float(v), label=name) for name, v in values.items()}
    used: set[str] = set()
    try:
        result = _build(tree.body, leaves, used)
    except (ZeroDivisionError, ValueError) as error:
        if isinstance(error, ExpressionError):
            raise
        raise ExpressionError(_("cannot evaluate: {error}", error=error)) from None
    except RecursionError:
        raise ExpressionError(_("the expression is nested too deeply")) from None
    unused = sorted(set(values) - used)
    if unused:
        raise ExpressionError(_("a value was given for {names}, which the expression does "
                                "not use", names=", ".join(unused)))
    return result if isinstance(result, Value) else Value(result)


def _build(node: ast.AST, leaves: dict[str, Value], used: set[str]):
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(_("only numbers are allowed, not {value}",
                                    value=repr(node.value)))
        try:
            number = float(node.value)
        except OverflowError:  # an int literal beyond any float
            number = math.inf
        if not math.isfinite(number):
            raise ExpressionError(_("the number at column {column} is too large",
                                    column=node.col_offset + 1))
        return number
    if isinstance(node, ast.Name):
        if node.id not in leaves:
            known = _("; known: {names}", names=", ".join(sorted(leaves))) if leaves else ""
            raise UnknownName(_("no value for {name}", name=repr(node.id)) + known, node.id,
                              _("; give one with --at {name}=NUMBER", name=node.id))
        used.add(node.id)
        return leaves[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _build(node.left, leaves, used), _build(node.right, leaves, used)
        if not isinstance(left, Value) and not isinstance(right, Value):
            left = Value(left)  # keep numbers as graph nodes, so the picture shows them
        return _OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _build(node.operand, leaves, used)
        if isinstance(node.op, ast.UAdd):
            return operand
        return -operand
    if isinstance(node, ast.Call):
        return _call(node, leaves, used)
    raise ExpressionError(_("{what} is not allowed; use numbers, names, + - * / **, "
                            "parentheses and functions such as tanh(...)", what=_describe(node)))


def _call(node: ast.Call, leaves: dict[str, Value], used: set[str]) -> Value:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(_("{what} cannot be called; functions: {functions}",
                                what=_describe(node.func), functions=", ".join(functions())))
    name = node.func.id
    if name not in functions():
        raise ExpressionError(_("unknown function {name}; functions: {functions}",
                                name=repr(name), functions=", ".join(functions())))
    if node.keywords or len(node.args) != 1:
        raise ExpressionError(_("{name} takes exactly one argument", name=name))
    argument = _build(node.args[0], leaves, used)
    return apply(name, argument if isinstance(argument, Value) else Value(argument))


# -- slips that Python cannot even read: each gets its fix ---------------------------------

# Signs of typeset mathematics, and what Python writes for them.
_TIMES, _DIVIDED, _MINUS = (N_("multiplication sign"), N_("division sign"),
                            N_("minus sign"))
_TYPESET = {"×": (_TIMES, "*"), "·": (_TIMES, "*"), "⋅": (_TIMES, "*"), "÷": (_DIVIDED, "/"),
            "−": (_MINUS, "-"), "–": (_MINUS, "-")}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_NAME = r"[^\W\d]\w*"
_NUMBER = r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"
# Keywords that are operators of Python's own (x if c else y, a and b, x in y): an error
# near them is not a name slip.
_OPERATOR_KEYWORDS = {"if", "else", "and", "or", "not", "in", "is", "None", "True", "False"}


def _slip(text: str) -> str | None:
    """What to say about an expression Python cannot read, when it is a known slip."""
    for find in (_typeset, _assignment, _keyword_as_name, _call_without_brackets):
        message = find(text)
        if message:
            return message
    return None


def _typeset(text: str) -> str | None:
    """``x²``, ``2×x``, ``x−1``: typeset signs, with the whole expression as Python."""
    found = [(i, c) for i, c in enumerate(text) if c in _TYPESET or _SUPERSCRIPT_RUN.match(c)]
    if not found:
        return None
    fixed = _SUPERSCRIPT_RUN.sub(lambda m: "**" + m.group().translate(_SUPERSCRIPTS), text)
    for char, (_what, sign) in _TYPESET.items():
        fixed = fixed.replace(char, sign)
    column, char = found[0]
    what, sign = _TYPESET.get(char, (N_("power"), "**"))
    return _("{char} (column {column}) is not Python's {what} ({sign}): write {fixed}",
             char=char, column=column + 1, what=_(what), sign=sign, fixed=fixed.strip())


def _assignment(text: str) -> str | None:
    """``x = 2`` (values belong to --at) or ``y = x*x`` (the expression alone, please)."""
    parts = [p.strip() for p in re.split(r"[,;]", text)]
    values = [re.fullmatch(rf"({_NAME})\s*=\s*(-?{_NUMBER})", p) for p in parts]
    if all(values):
        given = " ".join(f"--at {m.group(1)}={m.group(2)}" for m in values)
        return _("{text} is an assignment, not an expression: give values with {given}",
                 text=text.strip(), given=given)
    named = re.fullmatch(rf"\s*({_NAME})\s*=(?!=)\s*(.+?)\s*", text)
    if named:
        return _("{name} = ... names the result, which is not needed: write the expression "
                 "alone, {expression}", name=named.group(1), expression=named.group(2))
    return None


def _keyword_as_name(text: str) -> str | None:
    """``lambda*x``: a Python keyword cannot be a name, whatever --at says."""
    for match in re.finditer(_NAME, text):
        word = match.group()
        if keyword.iskeyword(word) and word not in _OPERATOR_KEYWORDS:
            return _("{word} (column {column}) is a Python keyword, so it cannot name a "
                     "value: call it {word}_ instead (and give --at {word}_=NUMBER)",
                     word=word, column=match.start() + 1)
    return None


def _call_without_brackets(text: str) -> str | None:
    """``exp x``: a function of the op table written as in mathematics."""
    for match in re.finditer(rf"(?<![\w.])({_NAME})\s+({_NAME}|{_NUMBER})", text):
        name, argument = match.groups()
        if name in functions():
            return _("{text} (column {column}): a function takes its argument in brackets: "
                     "write {name}({argument})", text=match.group(), column=match.start() + 1,
                     name=name, argument=argument)
    return None


# Names that are constants elsewhere; here, as every name, they need a value.
_CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau}


def _catch_constants(tree: ast.AST, text: str, values: Mapping[str, float]) -> None:
    """``pi*x`` or ``e**x`` without a value for pi or e: there are no built-in constants,
    so say so, with the value to give (and ``exp(x)`` for ``e**x``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) \
                and isinstance(node.left, ast.Name) and node.left.id == "e" \
                and "e" not in values:
            whole = _segment(text, node) or "e**x"
            exponent = whole[whole.index("**") + 2:].strip()  # as typed, brackets and all
            inner = exponent[1:-1] if _bracketed(exponent) else exponent
            raise UnknownName(
                _("e (column {column}) has no value: there are no built-in constants; for "
                  "e**{exponent} write exp({inner})", column=_column(node.left),
                  exponent=exponent, inner=inner), "e",
                _(", or give e with --at e={value}", value=repr(math.e)))
        if isinstance(node, ast.Name) and node.id in _CONSTANTS and node.id not in values:
            raise UnknownName(
                _("{name} (column {column}) has no value: there are no built-in constants",
                  name=node.id, column=_column(node)), node.id,
                _("; give it with --at {name}={value}", name=node.id,
                  value=repr(_CONSTANTS[node.id])))


def _bracketed(text: str) -> bool:
    """Is ``text`` one pair of brackets around the rest, as ``(2*x)`` (not ``(a)*(b)``)?"""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and i < len(text) - 1:
            return False
    return True


# A number written against a name, as in algebra: 2x, 0.5y.
_JUXTAPOSED = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)([^\W\d]\w*)")


def _syntax_message(text: str, error: SyntaxError, shift: int) -> str:
    """Python's complaint in our words, with its column counted from 1 in ``text``."""
    if not error.offset:  # Python points nowhere: the text stopped too soon
        where = _("column {column}, at the end", column=len(text.rstrip()) + 1)
    elif error.lineno in (None, 1):
        where = _("column {column}", column=error.offset + shift)
    else:
        where = _("line {line}, column {column}", line=error.lineno, column=error.offset)
    product = _JUXTAPOSED.search(text) if "literal" in error.msg else None
    if product:
        number, name = product.groups()
        return _("{number}{name} (column {column}) is not a product: write {number}*{name}",
                 number=number, name=name, column=product.start() + 1)
    column = (error.offset or len(text.rstrip()) + 1) + shift
    own = _in_our_words(text, error.msg, column)
    if own:
        return own
    return _("not a valid expression: {why} ({where})", why=_(error.msg), where=where)


# What Python's parser says about the usual slips (as Python 3.11 words it), to be said in
# the reader's language: _(error.msg).  A message not here is shown as Python said it.
PYTHON_SAYS = (
    N_("invalid syntax"), N_("invalid syntax. Perhaps you forgot a comma?"),
    N_("invalid decimal literal"), N_("invalid hexadecimal literal"),
    N_("invalid octal literal"), N_("invalid binary literal"),
    N_("leading zeros in decimal integer literals are not permitted; use an 0o prefix "
       "for octal integers"),
    N_("unexpected character after line continuation character"),
    N_("expected 'else' after 'if' expression"),
    N_("positional argument follows keyword argument"),
    N_("unexpected EOF while parsing"),
)
_CLOSING = {"(": ")", "[": "]", "{": "}"}
_OPENING = {closing: opening for opening, closing in _CLOSING.items()}
_BRACKET_TROUBLE = re.compile(r"'.' was never closed|unmatched '.'|closing parenthesis")
_INVALID_CHARACTER = re.compile(r"invalid (?:non-printable )?character.*U\+([0-9A-Fa-f]+)")


def _in_our_words(text: str, why: str, column: int) -> str | None:
    """Python's complaint said in our own words, where we can say it better: a bracket
    left open or closing nothing (named, with its column), a quotation mark (an expression
    holds no text), a character no expression may hold.  ``column`` is Python's, counted
    from 1 in ``text`` as typed."""
    if _BRACKET_TROUBLE.match(why):
        return _brackets(text)
    if why.startswith("unterminated string literal"):
        return _("the quotation mark {quote} (column {column}) starts a text that is never "
                 "closed: an expression holds no text, only numbers, names and operators",
                 quote=text[column - 1] if 0 < column <= len(text) else '"', column=column)
    invalid = _INVALID_CHARACTER.match(why)
    if invalid:
        char = chr(int(invalid.group(1), 16))
        code = invalid.group(1).upper()
        if char.isprintable() and not char.isspace():
            return _("{char} (U+{code}, column {column}) cannot be part of an expression: "
                     "delete it", char=char, code=code, column=column)
        return _("an invisible character (U+{code}, column {column}) cannot be part of an "
                 "expression: delete it, and type a space with the space bar", code=code,
                 column=column)
    return None


def _brackets(text: str) -> str | None:
    """What is wrong with the brackets of ``text``: one that closes nothing, closes a
    bracket of another kind, or is never closed (the innermost, as Python says); None
    if they pair up (a bracket inside quotes, say: Python's words then)."""
    opened: list[tuple[str, int]] = []
    for column, char in enumerate(text, 1):
        if char in _CLOSING:
            opened.append((char, column))
        elif char in ")]}":
            if not opened:
                return _("the bracket '{bracket}' (column {column}) closes nothing: remove it, "
                         "or add '{opening}' where its part begins", bracket=char,
                         column=column, opening=_OPENING[char])
            bracket, start = opened.pop()
            if _CLOSING[bracket] != char:
                return _("the bracket '{bracket}' (column {column}) does not close "
                         "'{opening}' (column {start}): close that with '{closing}'",
                         bracket=char, column=column, opening=bracket, start=start,
                         closing=_CLOSING[bracket])
    if opened:
        bracket, start = opened[-1]
        return _("the bracket '{bracket}' (column {column}) is never closed: add '{closing}' "
                 "where its part ends", bracket=bracket, column=start,
                 closing=_CLOSING[bracket])
    return None


def _fix_column_offsets(tree: ast.AST, parsed: str, shift: int) -> None:
    """Count columns in characters of the text as typed, leading spaces included
    (Python counts them in bytes of UTF-8 in the text it parsed: é is two)."""
    encoded = parsed.encode("utf-8")

    def characters(offset: int) -> int:
        return len(encoded[:offset].decode("utf-8", "ignore")) + shift

    for node in ast.walk(tree):
        if getattr(node, "lineno", None) == 1:
            node.col_offset = characters(node.col_offset)
        if getattr(node, "end_lineno", None) == 1:
            node.end_col_offset = characters(node.end_col_offset)


def _segment(text: str, node: ast.AST) -> str | None:
    """The text of ``node`` (one line; offsets in characters, see _fix_column_offsets)."""
    if node.lineno != 1 or node.end_lineno != 1:
        return None
    return text[node.col_offset:node.end_col_offset]


def _column(node: ast.AST) -> int:
    return node.col_offset + 1


def _catch_slips(tree: ast.AST, text: str) -> None:
    """Name the fix for notations of algebra and other languages: ``x^2``, ``x.exp()``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor):
            raise ExpressionError(_power(node, text))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in functions() and not node.args and not node.keywords):
            name = node.func.attr
            argument = _segment(text, node.func.value) or "x"
            raise ExpressionError(_("{name} is a function, not a method (column {column}): "
                                    "write {name}({argument})", name=name,
                                    column=_column(node), argument=argument))


def _power(node: ast.BinOp, text: str) -> str:
    """What to say about ``a ^ b``: Python's ``^`` is not a power, ``a**b`` is."""
    whole = _segment(text, node)
    if whole is None:
        return _("^ is not a power: use ** for powers: x**2")
    caret = whole.index("^", node.left.end_col_offset - node.col_offset)
    fixed = whole[:caret].rstrip() + "**" + whole[caret + 1:].lstrip()
    return _("^ (column {column}) is not a power: use ** for powers: {fixed}",
             column=node.col_offset + caret + 1, fixed=fixed)


# Python's operators an expression may not use, by the sign the reader typed.
_SIGNS_OF = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
             ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|", ast.Invert: "~",
             ast.Not: "not"}


def _catch_operators(tree: ast.AST, text: str) -> None:
    """``x // 2``, ``x % 2``, ``~x``: an operator of Python's that is not arithmetic here,
    named by its sign and the sign's own column."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.BinOp, ast.UnaryOp)) or type(node.op) not in _SIGNS_OF:
            continue
        sign = _SIGNS_OF[type(node.op)]
        start = node.left.end_col_offset if isinstance(node, ast.BinOp) else node.col_offset
        found = text.find(sign, start) if node.lineno == 1 else -1
        column = found + 1 if found >= 0 else _column(node)
        raise ExpressionError(_("the operator {sign} (column {column}) is not allowed; use "
                                "numbers, names, + - * / **, parentheses and functions such "
                                "as tanh(...)", sign=sign, column=column))


# What each construct outside the whitelist is called, for a reader who does not know
# Python's names for them (an unknown one is "this part").
_KINDS = {ast.Attribute: N_("attribute access"), ast.Subscript: N_("indexing"),
          ast.Lambda: "lambda", ast.Compare: N_("comparison"), ast.BoolOp: "and/or",
          ast.IfExp: "if/else", ast.JoinedStr: N_("an f-string"),
          ast.List: N_("a list such as [a, b]"), ast.Tuple: N_("a tuple such as a, b"),
          ast.Set: N_("a set in curly brackets"), ast.Dict: N_("a dictionary in curly brackets"),
          ast.ListComp: N_("a comprehension (for ... in ...)"),
          ast.SetComp: N_("a comprehension (for ... in ...)"),
          ast.DictComp: N_("a comprehension (for ... in ...)"),
          ast.GeneratorExp: N_("a comprehension (for ... in ...)"),
          ast.Starred: N_("unpacking with *"), ast.NamedExpr: N_("an assignment with :="),
          ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
          ast.Slice: N_("a slice"), ast.Constant: N_("a number"),
          ast.BinOp: N_("a calculation"), ast.UnaryOp: N_("a calculation"),
          ast.Call: N_("a function's result")}


def _describe(node: ast.AST) -> str:
    kind = next((_(text) for cls, text in _KINDS.items() if isinstance(node, cls)),
                _("this part"))
    column = getattr(node, "col_offset", None)
    return _("{kind} (column {column})", kind=kind, column=column + 1) if column is not None \
        else kind
