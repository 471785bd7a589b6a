"""Policy documents a Terraform module keeps in files beside it.

`file("p.json")`, `templatefile("p.json.tpl", {...})`, `data "template_file"` (`.rendered`) and
`data "local_file"` (`.content`) are read through `Module.read_file`: anywhere inside the scan root
(`../policies/x.json` too), never through a symlink, bounded, and recorded so the facts cache
depends on the file. `${path.root}` is the directory of the root module (the top of the calls).

A template is rendered as far as its arguments are known: a known scalar is substituted, an unknown
one stays `${name}` (inside a JSON string) or becomes the string `"${name}"` (outside one, where the
JSON would not parse), so the rest of the policy is still judged and the unknown part is never
taken for a literal. A template with a directive (`%{ for }`, `%{ if }`) is not rendered at all:
its policy is unknown rather than wrong. Substituted values never hold a newline, so every line of
the rendered text is the template file's line.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from msgspec import Struct

from nhilint.formats import MAX_SIDE_FILE, SourceFile
from nhilint.formats.terraform.module import Module, is_unknown
from nhilint.knowledge.credential_names import lazy
from nhilint.parse.tree import Call, Expr, LMap, LSeq

_PATH_PREFIX = lazy(r"^\$\{path\.(module|root)\}/")
_NAME = lazy(r"[A-Za-z_][\w-]*")
_JSONENCODE = lazy(r"jsonencode\(\s*([A-Za-z_][\w-]*)\s*\)")
_DATA_ATTR = {"template_file": "rendered", "local_file": "content"}


class SideDocument(Struct, frozen=True):
    """A policy read from a file: `name` is its path from the scan root, `text` as Terraform renders it;
    `problem` says why a file that is there cannot be read (its policy is unreadable, not absent)."""

    name: str
    text: str
    problem: str | None = None


class _Unknown(Exception):
    """A template value that cannot be known here."""


def side_document(module: Module, value: Any, source: SourceFile) -> SideDocument | None:
    """The document `value` (an attribute's resolved value) reads from a file, or None."""
    if isinstance(value, Call) and value.args and value.name in ("file", "templatefile"):
        template_vars = module.resolve_deep(value.args[1]) if len(value.args) > 1 else LMap()
        return _read(module, source, value.args[0], template_vars if value.name == "templatefile" else None)
    data = _data_source(module, value)
    if data is None:
        return None
    if data.type == "local_file":
        return _read(module, source, data.raw("filename"), None)
    template = module.resolve(data.raw("template"))
    if isinstance(template, Call) and template.name == "file" and template.args:
        return _read(module, source, template.args[0], module.resolve_deep(data.raw("vars")) or LMap())
    return None


def _data_source(module: Module, value: Any) -> Any:
    """`data.template_file.x.rendered` / `data.local_file.x.content` -> that data source."""
    if not isinstance(value, Expr):
        return None
    parts = value.text.strip().split(".")
    if len(parts) != 4 or parts[0] != "data" or _DATA_ATTR.get(parts[1]) != parts[3]:
        return None
    return module.by_address(".".join(parts[:3]))


def _read(module: Module, source: SourceFile, arg: Any, template_vars: Any) -> SideDocument | None:
    path = module.resolve(arg)
    if isinstance(path, Expr):  # "${path.module}/policies/x.json"
        text = path.text.strip()
        path = text[1:-1] if len(text) > 1 and text[0] == text[-1] == '"' else None
    if not isinstance(path, str):
        return None
    rel = _PATH_PREFIX().sub(lambda match: _from_root(module, source) if match[1] == "root" else "", path)
    if "${" in rel or "%{" in rel:
        return None
    before = len(module.reads)
    side = module.read_file(source, rel)
    if side is None:
        return _unreadable(module, source, before)
    shown = posixpath.normpath(posixpath.join(posixpath.dirname(source.rel), side.name))
    if template_vars is None:
        return SideDocument(shown, side.text)
    rendered = render_template(side.text, template_vars if isinstance(template_vars, LMap) else None)
    return SideDocument(shown, rendered) if rendered is not None else None


def _from_root(module: Module, source: SourceFile) -> str:
    """`${path.root}/` as a prefix relative to `source`'s directory: the root module's directory."""
    while module.caller is not None:
        module = module.caller
    if not module.files:
        return ""
    top = posixpath.dirname(module.files[0][0].rel) or "."
    if top.startswith("/") or source.rel.startswith("/"):
        return ""  # a module outside the scan root: nothing above it is read anyway
    up = posixpath.relpath(top, posixpath.dirname(source.rel) or ".")
    return "" if up == "." else up + "/"


def _unreadable(module: Module, source: SourceFile, before: int) -> SideDocument | None:
    """The file just read is there but gives no text (over the size limit, not UTF-8): a document
    whose `problem` makes its policy NHI001, never no policy. A missing file stays unknown: a
    pipeline may write it before `terraform plan`."""
    read = module.reads[-1] if len(module.reads) > before else None
    if read is None or read.state == "missing":
        return None
    why = f"larger than {MAX_SIDE_FILE:,} bytes" if read.state == "too-large" else "not UTF-8 text"
    shown = posixpath.normpath(posixpath.join(posixpath.dirname(source.rel), read.name))
    return SideDocument(shown, "", f"the policy file is {why}, so it cannot be judged")


def render_template(text: str, known: LMap | None) -> str | None:
    """Terraform template text with the `known` arguments substituted (None: none are known), or
    None when it holds a directive or renders past `MAX_SIDE_FILE` (no policy is that large: a
    template repeating a long argument would otherwise fill the memory)."""
    out: list[str] = []
    size = len(text)
    in_string = False
    i = 0
    while i < len(text):
        char = text[i]
        if text.startswith(("$${", "%%{"), i):
            out.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith("%{", i):
            return None
        if text.startswith("${", i):
            end = _closing(text, i + 2)
            if end is None:
                return None
            expr = text[i + 2 : end].strip().strip("~").strip()
            if "\n" in expr:
                return None
            out.append(_substitute(expr, known, in_string))
            size += len(out[-1])
            if size > MAX_SIDE_FILE:
                return None
            i = end + 1
            continue
        if char == "\\" and in_string:
            out.append(text[i : i + 2])
            i += 2
            continue
        if char == '"':
            in_string = not in_string
        out.append(char)
        i += 1
    return "".join(out)


def _closing(text: str, start: int) -> int | None:
    """The index of the `}` that closes an interpolation opened just before `start`."""
    depth, quoted, i = 0, False, start
    while i < len(text):
        char = text[i]
        if quoted:
            if char == "\\":
                i += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return None


def _substitute(expr: str, known: LMap | None, in_string: bool) -> str:
    value: str | None
    try:
        if _NAME().fullmatch(expr):
            value = _scalar(_lookup(known, expr))
        elif match := _JSONENCODE().fullmatch(expr):
            value = json.dumps(_plain(_lookup(known, match.group(1))), separators=(",", ":"))
        else:
            raise _Unknown
    except _Unknown:
        value = None
    if value is None or (not in_string and "\n" in value):  # a raw newline would move later lines
        marker = "${" + re.sub(r'["\\]', "", expr) + "}"
        return marker if in_string else f'"{marker}"'
    return json.dumps(value)[1:-1] if in_string else value


def _lookup(known: LMap | None, name: str) -> Any:
    if known is None or name not in known or is_unknown(known[name]):
        raise _Unknown
    return known[name]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int, float)):
        return str(value)
    raise _Unknown


def _plain(value: Any) -> Any:
    """A resolved value as plain JSON data, every leaf known."""
    if isinstance(value, LMap):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, LSeq):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise _Unknown
