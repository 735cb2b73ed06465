"""The reader's language: every message a learner reads, in English or in Korean.

A message is written once, in English, where it is used, marked with :func:`_` and named
placeholders::

    raise ValueError(_("no primitive named {name}", name=repr(name)))

and translated through the standard gettext catalogs, read with the standard library:
``core/locale/<language>/LC_MESSAGES/autograd_mini.mo``.  The ``.po`` file beside each
``.mo`` is the source a translator edits; Babel (a development tool, not a dependency)
extracts the messages and compiles the catalogs -- docs/translating.md gives the commands.
Identifiers, op names and formulas stay as they are in every language.

The language is, in this order: :func:`speaking`'s (for its ``with`` block, in its own
thread or task only), :func:`set_language`'s (for the whole program), the
``AUTOGRAD_MINI_LANG`` environment variable, the locale as gettext reads it (``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES``, ``LANG``; ``LC_ALL=C`` is English), else English.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import json
import os
import re
import string
import unicodedata
from pathlib import Path

__all__ = ["LANGUAGES", "set_language", "current_language", "_", "N_", "ngettext", "DOMAIN",
           "LOCALE", "display_width", "pad", "page_words", "speaking"]

LANGUAGES = ("en", "ko")
DOMAIN = "autograd_mini"
LOCALE = Path(__file__).with_name("locale")
_chosen: str | None = None  # set_language's choice; None: ask the environment
# speaking()'s choice: a context variable, so that two threads (or asyncio tasks) may each
# speak their own language at once without one's block changing the other's words.
_spoken: contextvars.ContextVar[str | None] = contextvars.ContextVar("autograd_mini_language",
                                                                   default=None)


def set_language(code: str | None) -> None:
    """Speak ``code`` ("en" or "ko") from now on; ``None`` goes back to the environment's
    choice (``AUTOGRAD_MINI_LANG``, then the locale)."""
    global _chosen
    if code is not None and _language_of(code) is None:
        raise _no_language(code)
    _chosen = None if code is None else _language_of(code)


@contextlib.contextmanager
def speaking(code: str):
    """Speak ``code`` inside the ``with`` block, then as before (a build writing each
    language's pages).  Only the block's own thread or task is changed: another thread
    goes on in its language (a thread started inside takes the block's language only if
    it runs in a copy of the context, ``contextvars.copy_context().run``)."""
    if _language_of(code) is None:
        raise _no_language(code)
    token = _spoken.set(_language_of(code))
    try:
        yield
    finally:
        _spoken.reset(token)


def current_language() -> str:
    """The language messages are written in now: "en" or "ko"."""
    for choice in (_spoken.get(), _chosen):
        if choice is not None:
            return choice
    return _language_of(os.environ.get("AUTOGRAD_MINI_LANG", "")) or _locales_language()


def _locales_language() -> str:
    """The language of the messages' locale, as gettext reads it: the first of ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG`` that is set decides (``C`` or ``POSIX``, as in
    ``LC_ALL=C command``: English), and GNU's ``LANGUAGE`` list (``fr:ko``: its first
    language there is a catalog for) comes before it where the locale is not ``C``."""
    names = ("LC_ALL", "LC_MESSAGES", "LANG")
    locale = next((os.environ[name] for name in names if os.environ.get(name)), "C")
    if locale.split(".")[0] in ("C", "POSIX"):
        return "en"
    for entry in os.environ.get("LANGUAGE", "").split(":"):
        if _language_of(entry) is not None:
            return _language_of(entry)
    return _language_of(locale) or "en"


def _no_language(code: object) -> ValueError:
    """The error for a language that is not one of :data:`LANGUAGES`, in the current one."""
    return ValueError(_("no language {code}: the languages are {languages}", code=repr(code),
                        languages=", ".join(LANGUAGES)))


def _language_of(setting: str) -> str | None:
    """The language a setting names: "ko", "ko_KR.UTF-8", "KO" -> "ko"; else None."""
    code = setting.strip().replace("-", "_").split("_")[0].split(".")[0].lower()
    return code if code in LANGUAGES else None


@functools.cache
def _catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE, languages=[language], fallback=True)


def _(message: str, /, **fields: object) -> str:
    """``message`` in the current language, its ``{placeholders}`` filled from ``fields``."""
    return _fill(_catalog(current_language()).gettext(message), fields)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog where it is stored (a table's text), to be
    translated where it is shown: ``_(stored)``."""
    return message


def ngettext(singular: str, plural: str, count: int, /, **fields: object) -> str:
    """The form of a message for ``count`` (``{count}`` is filled in too)."""
    text = _catalog(current_language()).ngettext(singular, plural, count)
    return _fill(text, {"count": count, **fields})


def _fill(text: str, fields: dict) -> str:
    """``text`` with its named placeholders filled (the tests hold every translation to
    the English message's placeholders), and each Korean particle written paired after a
    placeholder made the one its word takes."""
    if not fields:
        return text
    pieces, at = [], 0
    for paired in _PAIRED.finditer(text):
        word = paired.group(1).format_map(fields)
        pieces += [text[at:paired.start()].format_map(fields), word,
                   particle(word, paired.group(2))]
        at = paired.end()
    pieces.append(text[at:].format_map(fields))
    return "".join(pieces)


# Korean particles after a placeholder are written paired in the catalog, "{name}이(가)",
# since the word is not known then: the one for the word's last syllable is chosen when it
# is (가중치가, 노드는, 층으로).  After a word that does not end in Hangul (x1, 4.0) the
# pair stays, as Korean software writes it.
PARTICLES = {"이(가)": ("이", "가"), "은(는)": ("은", "는"), "을(를)": ("을", "를"),
             "과(와)": ("과", "와"), "와(과)": ("과", "와"), "(으)로": ("으로", "로")}
_PAIRED = re.compile(r"(?<!\{)(\{\w+(?:[:!][^{}]*)?\})("
                     + "|".join(map(re.escape, PARTICLES)) + ")")


def particle(word: str, paired: str) -> str:
    """The particle of ``paired`` ("이(가)") that follows ``word``: "가중치" -> "가",
    "'노드'" -> "가" (a closing quote read through), "층" + "(으)로" -> "으로", "x1" ->
    "이(가)"."""
    last = word.rstrip("'\")]」』 ")[-1:]
    if not "가" <= last <= "힣":
        return paired
    final = (ord(last) - ord("가")) % 28  # the final consonant: 0 none, 8 ㄹ
    with_final, without = PARTICLES[paired]
    if paired == "(으)로":
        return without if final in (0, 8) else with_final
    return with_final if final else without


def placeholders(text: str) -> set[str]:
    """The names of ``text``'s placeholders: ``"{a} and {b:.2f}"`` -> {"a", "b"}."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def display_width(text: str) -> int:
    """How many columns ``text`` takes in a terminal: a Hangul syllable or a full-width
    character two, a combining mark none, anything else one."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` columns (``str.ljust`` counts characters)."""
    return text + " " * (width - display_width(text))


# A page's message: say("...") in its script, a double-quoted literal or several joined
# with + (a long one), as Babel's javascript extractor reads the same calls into the catalog.
_LITERAL = r'"(?:[^"\\\n]|\\.)*"'
_SAID = re.compile(rf'\bsay\(\s*({_LITERAL}(?:\s*\+\s*{_LITERAL})*)')


def page_words(*scripts: str, language: str | None = None) -> dict[str, str]:
    """The translation, in ``language`` (default: the current one), of each message the
    ``scripts`` (a page's JavaScript) say, for the page's ``useWords``: English messages
    map to themselves."""
    if language is not None and _language_of(language) is None:
        raise _no_language(language)
    catalog = _catalog(current_language() if language is None else _language_of(language))
    said = {"".join(json.loads(part) for part in re.findall(_LITERAL, joined))
            for script in scripts for joined in _SAID.findall(script)}
    return {message: catalog.gettext(message) for message in sorted(said)}
