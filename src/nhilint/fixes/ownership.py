"""NHI301/NHI302 (unsafe): give an identity the owner and expiry its findings ask for, in the file's
own style: a Terraform resource's `tags` map (a new `tags` attribute when it has none: on the
resource, visible where the identity is declared, even when the provider has `default_tags`), a
CloudFormation role's or user's `Tags` list (YAML templates), a Kubernetes ServiceAccount's
`metadata.annotations` (annotations, not labels: a label value cannot hold `@org/team`).

Values come from the configuration or the repository, never from us: the owner is `fix.owner`, else
the first CODEOWNERS owner of the file; the expiry is today + `fix.expires-in-days`, only when that is
configured. The keys written are the first configured `owner-keys`/`expiry-keys`.

A folded finding (one identity's owner and expiry, or several identities of one file or one provider
block) is fixed for every identity it covers or not at all; a written but wrong expiry (passed, not
a date) is the user's to renew, so a finding that includes one is not fixed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta

from msgspec import Struct

from nhilint.findings import Finding
from nhilint.fixes import codeowners
from nhilint.fixes.base import Edit, Fix, Fixer, FixInput
from nhilint.fixes.located import blocks, documents
from nhilint.fixes.text import Text
from nhilint.parse.tree import Block, LMap, LSeq
from nhilint.parse.yaml_scalars import resolve_plain

RULES = ("NHI301", "NHI302")
# Terraform identity resources whose `tags` is a map of strings (azuread's `tags` is a list).
_TAGGED_TERRAFORM = re.compile(r"aws_.*|azurerm_user_assigned_identity")
_CLOUDFORMATION_TYPES = ("AWS::IAM::Role", "AWS::IAM::User")
_BARE_HCL_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PLAIN_YAML_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")

Entries = list[tuple[str, str]]


class Target(Struct):
    """One identity's place in the file: its lines, the tags written there (lower-cased keys), and
    how to add entries in the file's style (None: not here, safely)."""

    first: int
    last: int
    keys: dict[str, str]
    add: Callable[[Entries], Edit | None]


def fix(given: FixInput) -> list[Fix]:
    text = Text(given.text)
    options = given.options
    values: dict[str, str | None] = {
        "NHI301": options.owner or codeowners.owner_of(given.root, given.path),
        "NHI302": (options.today + timedelta(days=options.expires_in_days)).isoformat()
        if options.expires_in_days is not None
        else None,
    }
    if not any(values.values()):
        return []  # no owner, no expiry to write: no need to parse (every scan's marks ask)
    keys = {"NHI301": options.owner_keys, "NHI302": options.expiry_keys}
    targets = _targets(given.format, given.path, text)
    fixes: list[Fix] = []
    edited: set[int] = set()
    for finding in given.findings:
        members = _members(finding, given.path)
        if members is None:
            continue
        wanted: dict[int, set[str]] = {}  # target index -> rules it must satisfy
        for rule, line in members:
            found = [i for i, t in enumerate(targets) if t.first <= line <= t.last]
            if len(found) != 1:
                break  # an identity we cannot place: all or nothing
            wanted.setdefault(found[0], set()).add(rule)
        else:
            made = _edits(targets, wanted, values, keys)
            if made is None or not made or edited & set(wanted):
                continue
            edited |= set(wanted)
            added = {rule for rule in RULES if values[rule]}
            title = " and ".join(
                what for rule, what in (("NHI301", "owner"), ("NHI302", "expiry")) if rule in added
            )
            fixes.append(
                Fix(
                    finding.rule_id,
                    "unsafe",
                    f"add the {title} ({len(wanted)} identit{'y' if len(wanted) == 1 else 'ies'})",
                    tuple(made),
                    tuple(m for m in (finding, *finding.folded) if m.rule_id in added and values[m.rule_id]),
                    advice="Check the owner and the expiry date written: they come from the configuration or "
                    "CODEOWNERS, not from whoever actually runs this identity.",
                )
            )
    return fixes


def _members(finding: Finding, path: str) -> list[tuple[str, int]] | None:
    """(rule, line) of each identity finding this one speaks for, all in `path`; None when one is
    elsewhere or is not an identity of this file (a chart's or a release's note)."""
    if finding.identity is None or finding.identity.kind in ("helm_chart", "release"):
        return None
    place = finding.place
    grouped = place is not None and place.loc is not None and finding.loc == place.loc
    found: list[tuple[str, int, str]] = []
    for member in (finding, *finding.folded):
        if member is finding and grouped:
            continue  # its own line is now the shared place's: it is among the related locations
        found.append((member.rule_id, member.loc.line, member.loc.file))
    if grouped:  # nhilint.pipeline.fold lists each member as `RULE: message` at its own line
        found += [
            (rule, r.loc.line, r.loc.file)
            for r in finding.related
            for rule in RULES
            if r.message.startswith(f"{rule}: ")
        ]
    if any(file != path for _, _, file in found):
        return None
    return [(rule, line) for rule, line, _ in found]


def _edits(
    targets: list[Target],
    wanted: dict[int, set[str]],
    values: dict[str, str | None],
    keys: dict[str, tuple[str, ...]],
) -> list[Edit] | None:
    made = []
    for index, rules in wanted.items():
        target = targets[index]
        entries: Entries = []
        for rule in RULES:
            if rule not in rules:
                continue
            if any(k.lower() in target.keys for k in keys[rule]):
                return None  # written but empty, passed or not a date: the user's to correct
            value = values[rule]
            if value:
                entries.append((keys[rule][0], value))
        if entries:
            edit = target.add(entries)
            if edit is None:
                return None
            made.append(edit)
    return made


def _targets(fmt: str, rel: str, text: Text) -> list[Target]:
    docs = documents(fmt, rel, text.text)
    if fmt == "terraform":
        return [t for doc in docs for b in blocks(doc) if (t := _terraform(b, text))]
    if fmt == "cloudformation":
        if rel.endswith(".json") or text.text.lstrip().startswith("{"):
            return []  # JSON templates: no edit (a new entry needs commas placed in another line)
        resources = docs[0].get("Resources") if docs else None
        if not isinstance(resources, LMap):
            return []
        return [
            _cloudformation(resources.kpos(name).line, resource, text)
            for name, resource in resources.items()
            if isinstance(resource, LMap) and resource.get("Type") in _CLOUDFORMATION_TYPES
        ]
    if fmt == "kubernetes":
        return [_kubernetes(obj, text) for obj in docs if obj.get("kind") == "ServiceAccount"]
    return []


# --- Terraform ------------------------------------------------------------------------------------


def _terraform(block: Block, text: Text) -> Target | None:
    if block.type != "resource" or not block.labels or not _TAGGED_TERRAFORM.fullmatch(block.labels[0]):
        return None
    tags = block.attrs.get("tags")
    keys = {str(k).lower(): str(v) for k, v in tags.items()} if isinstance(tags, LMap) else {}

    def add(entries: Entries) -> Edit | None:
        if "tags" in block.attrs:
            return _into_hcl_map(block.attrs, text, entries)
        closing = block.end_line
        if closing <= block.pos.line or not text.line(closing).lstrip().startswith("}"):
            return None
        first = min((p.line for p in block.attrs.key_pos.values()), default=None)
        indent = text.indent(first) if first else text.indent(block.pos.line) + "  "
        lines = [f"{indent}tags = {{", *_hcl_entries(entries, indent + "  ", None), f"{indent}}}"]
        return text.insert_lines(closing, lines)

    return Target(block.pos.line, block.end_line, keys, add)


def _into_hcl_map(attrs: LMap, text: Text, entries: Entries) -> Edit | None:
    tags = attrs["tags"]
    if not isinstance(tags, LMap):
        return None  # a variable, merge(...), a for expression: not ours to edit
    start = attrs.vpos("tags")
    line = text.line(start.line)
    if not tags and line[start.col - 1 :].rstrip().startswith("{}"):  # `tags = {}`
        indent = text.indent(start.line)
        at = text.offset(start.line, start.col)
        inner = "".join(f"{text.newline}{e}" for e in _hcl_entries(entries, indent + "  ", None))
        return Edit(at, at + 2, "{" + inner + text.newline + indent + "}")
    closing = tags.end_line
    if closing <= start.line or not text.line(closing).lstrip().startswith("}"):
        return None  # a one-line map
    if any(text.line(tags.kpos(k).line)[: tags.kpos(k).col - 1].strip() for k in tags):
        return None  # an entry that shares its line with another
    first = min((tags.kpos(k).line for k in tags), default=None)
    indent = text.indent(first) if first else text.indent(start.line) + "  "
    columns = {text.line(tags.kpos(k).line).find("=", tags.kpos(k).col) for k in tags}
    align = columns.pop() if len(columns) == 1 else None
    return text.insert_lines(closing, _hcl_entries(entries, indent, align))


def _hcl_entries(entries: Entries, indent: str, align: int | None) -> list[str]:
    out = []
    names = [key if _BARE_HCL_KEY.fullmatch(key) else _hcl_string(key) for key, _ in entries]
    align = align or len(indent) + max(map(len, names)) + 1  # new entries aligned among themselves
    for name, (_, value) in zip(names, entries, strict=True):
        padded = name.ljust(align - len(indent) - 1) if align else name  # terraform fmt's aligned `=`
        out.append(f"{indent}{padded} = {_hcl_string(value)}")
    return out


def _hcl_string(value: str) -> str:
    """A quoted HCL string that reads as `value`: a `${`/`%{` from the configuration stays text, never
    a template a key or a value would evaluate."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


# --- YAML (CloudFormation, Kubernetes) ------------------------------------------------------------


def _cloudformation(first: int, resource: LMap, text: Text) -> Target:
    props = resource.get("Properties")
    tags = props.get("Tags") if isinstance(props, LMap) else None
    keys = {}
    for item in tags if isinstance(tags, LSeq) else ():
        if isinstance(item, LMap) and "Key" in item:
            keys[str(item["Key"]).lower()] = str(item.get("Value", ""))

    def add(entries: Entries) -> Edit | None:
        if not isinstance(props, LMap) or not _is_block(props, text):
            return None
        if "Tags" not in props:  # `Tags:` with no value is there: a second `Tags` key would be a duplicate
            indent = text.indent(props.pos.line)
            at = _after(text, props.end_line, len(indent), dash=False)
            lines = [f"{indent}Tags:"]
            for key, value in entries:
                lines += [f"{indent}  - Key: {_yaml_key(key)}", f"{indent}    Value: {json.dumps(value)}"]
            return None if at is None else text.insert_lines(at, lines)
        if not isinstance(tags, LSeq) or not tags or not _is_block(tags, text):
            return None
        item = tags.ipos(0)
        prefix = text.line(item.line)[: item.col - 1]
        if not re.fullmatch(r"[ ]*-[ ]+", prefix):
            return None
        flow = text.line(item.line)[item.col - 1 : item.col] == "{"
        lines = []
        for key, value in entries:
            if flow:
                lines.append(f"{prefix}{{Key: {_yaml_key(key)}, Value: {json.dumps(value)}}}")
            else:
                lines += [f"{prefix}Key: {_yaml_key(key)}", f"{' ' * len(prefix)}Value: {json.dumps(value)}"]
        at = _after(text, tags.end_line, prefix.index("-"), dash=True)
        return None if at is None else text.insert_lines(at, lines)

    return Target(first, resource.end_line, keys, add)


def _kubernetes(obj: LMap, text: Text) -> Target:
    meta = obj.get("metadata")
    keys: dict[str, str] = {}
    for field in ("labels", "annotations"):
        values = meta.get(field) if isinstance(meta, LMap) else None
        if isinstance(values, LMap):
            keys.update({str(k).lower(): str(v) for k, v in values.items()})

    def add(entries: Entries) -> Edit | None:
        if not isinstance(meta, LMap) or not _is_block(meta, text):
            return None
        annotations = meta.get("annotations")
        written = [f"{_yaml_key(key)}: {json.dumps(value)}" for key, value in entries]
        if "annotations" not in meta:  # `annotations:` with no value: not a second `annotations` key
            indent = text.indent(meta.pos.line)
            labels = meta.get("labels")
            step = "  "
            if isinstance(labels, LMap) and labels and _is_block(labels, text):
                step = " " * (labels.pos.col - meta.pos.col)
            at = _after(text, meta.end_line, len(indent), dash=False)
            lines = [f"{indent}annotations:", *(indent + step + entry for entry in written)]
            return None if at is None else text.insert_lines(at, lines)
        if not isinstance(annotations, LMap) or not annotations or not _is_block(annotations, text):
            return None
        indent = text.indent(annotations.pos.line)
        at = _after(text, annotations.end_line, len(indent), dash=False)
        return None if at is None else text.insert_lines(at, [indent + entry for entry in written])

    return Target(obj.pos.line, obj.end_line, keys, add)


def _is_block(node: LMap | LSeq, text: Text) -> bool:
    """A block collection whose first entry starts its own line (not `{...}`/`[...]`, not after `- `)."""
    line = text.line(node.pos.line)
    return not line[: node.pos.col - 1].strip() and line[node.pos.col - 1 : node.pos.col] not in ("{", "[")


def _after(text: Text, end_line: int, indent: int, dash: bool) -> int | None:
    """The line to insert before to append to a block whose entries are indented `indent` and whose
    last one ends on `end_line`; None when what follows does not show the block ended there."""
    # `end_line` counts a block scalar's trailing blank lines in: they stay before the new entries, as
    # they may belong to its value (`|+`)
    line = end_line
    for number in range(line + 1, len(text.lines) + 1):
        content = text.line(number)
        stripped = content.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        at = len(content) - len(stripped)
        ended = at < indent or (dash and at == indent and not stripped.startswith("-"))
        return line + 1 if ended else None
    return line + 1


# Plain words YAML 1.1 readers (kubectl's, PyYAML) take as booleans; YAML 1.2 reads them as text.
_YAML_11_BOOLEANS = frozenset({"y", "n", "yes", "no", "on", "off"})


def _yaml_key(key: str) -> str:
    """The key plain when every YAML reader reads it back as this text, else quoted (`null`, `1`,
    `on` plain would be a null, a number, a boolean: another key than the one the rules read)."""
    plain = _PLAIN_YAML_KEY.fullmatch(key) and resolve_plain(key) == key
    return key if plain and key.lower() not in _YAML_11_BOOLEANS else json.dumps(key)


FORMATS = frozenset({"terraform", "cloudformation", "kubernetes"})
FIXER = Fixer("ownership", frozenset(RULES), FORMATS, "unsafe", fix)
