"""One root cause, one finding.

Rules mark a finding with a root-cause key (`Finding.cause`, built by `rules/_shared.py`): an
identity's missing lifecycle tags, a Terraform provider's literal keys, a CI job's stored cloud key.
After selection, per-file configuration, inline suppressions and the baseline have had their say,
the active findings of one file that share a key fold into one: the most severe (ties: `PRECEDENCE`,
then place), which keeps its rule ID and fingerprint, names what the others said in its message,
lists their rule IDs in `also` and their places as related locations. The folded findings ride along
in `folded`, so a baseline written from the report still has an entry for each of them.

Because folding runs last, `--ignore NHI301` or an inline ignore of NHI301 leaves NHI302 reported
on its own: a rule ID never changes meaning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from nhilint.findings import Finding, Related, severity_rank, shown

# Which rule speaks for a group when severities tie: the root cause before its symptoms.
PRECEDENCE = ("NHI105", "NHI103", "NHI102", "NHI101", "NHI403", "NHI301", "NHI302")


def fold(findings: list[Finding]) -> list[Finding]:
    """`findings` with each group of active findings sharing a file and a cause folded into one."""
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.cause and finding.suppression is None:
            groups[(finding.loc.file, finding.cause)].append(finding)
    gone: set[int] = set()
    for (_, cause), members in groups.items():
        if len(members) > 1:
            primary = min(members, key=_rank)
            others = sorted((m for m in members if m is not primary), key=Finding.sort_key)
            _absorb(primary, others, cause)
            if any(m.place != primary.place for m in others):
                primary.place = None  # part of it is fixed on the identity (an expired date): not grouped
            gone.update(id(m) for m in others)
    return group([f for f in findings if id(f) not in gone])


def group(findings: list[Finding]) -> list[Finding]:
    """`findings` with the active ones of two or more identities that share a fix place (`place`:
    a kustomization, a provider block, a template) reported once, there. Runs after `fold`, so each
    member already speaks for its identity, and after suppressions: a suppressed one leaves the group."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.place is not None and finding.suppression is None:
            groups[finding.place.key].append(finding)
    gone: set[int] = set()
    for members in groups.values():
        identities = {(m.identity.kind, m.identity.name) for m in members if m.identity}
        if len(identities) > 1:
            members.sort(key=Finding.sort_key)
            primary = min(members, key=_rank)
            _gather(primary, [m for m in members if m is not primary])
            gone.update(id(m) for m in members if m is not primary)
    return [f for f in findings if id(f) not in gone]


def _gather(primary: Finding, others: list[Finding]) -> None:
    place = primary.place
    assert place is not None
    members = sorted((primary, *others), key=Finding.sort_key)
    names = list(dict.fromkeys(m.identity.name for m in members if m.identity))
    kinds = sorted({m.identity.kind for m in members if m.identity})
    rules = {r for m in members for r in (m.rule_id, *m.also)}
    each = [{m.rule_id, *m.also} for m in members]
    lacks = [what for rule_id, what in (("NHI301", "an owner"), ("NHI302", "an expiry")) if rule_id in rules]
    joint = " and " if all(rules <= found for found in each) else " or "
    shown_names = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    related = [Related(m.loc, f"{m.rule_id}: {m.message}") for m in members]
    primary.message = shown(
        f"{len(names)} identities ({', '.join(kinds)}) lack {joint.join(lacks)}: {shown_names}. "
        f"One edit gives them all: {place.name}."
    )
    if place.loc is not None:
        primary.loc = place.loc
    primary.also = sorted(rules - {primary.rule_id})
    primary.folded = [f for other in others for f in (other, *other.folded)] + primary.folded
    if place.suggestion is not None:
        primary.suggestion = place.suggestion
    # a module's role judged for two calls is at one line twice: both identities stay listed
    primary.related = list(dict.fromkeys([*related, *(r for m in members for r in m.related)]))


def _rank(finding: Finding) -> tuple[int, bool, int, tuple[str, int, int, str, str]]:
    """Most severe first; at one level a finding that may fail the scan before a test path's note
    (a credential keeps its level in test paths: folded under a note it would never fail)."""
    order = PRECEDENCE.index(finding.rule_id) if finding.rule_id in PRECEDENCE else len(PRECEDENCE)
    return (-severity_rank(finding.severity), finding.non_production, order, finding.sort_key())


def _absorb(primary: Finding, others: list[Finding], cause: str) -> None:
    compose = _COMPOSERS.get(cause.split(":", 1)[0], _same_cause)
    primary.message = shown(compose(primary, others))
    primary.also = sorted({o.rule_id for o in others} - {primary.rule_id})
    primary.folded = [o for other in others for o in (other, *other.folded)]
    seen = {(primary.loc.file, primary.loc.line, primary.loc.col)} | {
        (r.loc.file, r.loc.line, r.loc.col) for r in primary.related
    }
    for other in others:
        places = [Related(other.loc, f"{other.rule_id}: {other.clause or other.message}"), *other.related]
        for related in places:
            key = (related.loc.file, related.loc.line, related.loc.col)
            if key not in seen:
                seen.add(key)
                primary.related.append(related)


def _same_cause(primary: Finding, others: list[Finding]) -> str:
    """The primary's message, then what the folded findings add, by rule, and on which lines."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for other in others:
        by_rule[other.rule_id].append(other)
    said = []
    for rule_id, found in by_rule.items():
        clauses = ", ".join(dict.fromkeys(f.clause or f.slug for f in found))
        lines = sorted({f.loc.line for f in found})
        where = f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(map(str, lines))
        said.append(f"{clauses} ({rule_id}, {where})")
    return f"{primary.message} Same cause: {'; '.join(said)}."


def _lifecycle(primary: Finding, others: list[Finding]) -> str:
    """`role x has no owner (owner tag) and no expiry (expires tag): ...`, one sentence for all: the
    primary's message with its clause replaced by every clause, when all say it of the same subject
    (`3 ServiceAccounts of chart x ... have`), so counts and names stay as the primary wrote them."""
    members = (primary, *others)
    subjects = {f.message.partition(f.clause)[0] for f in members if f.clause and f.clause in f.message}
    if not primary.clause or primary.clause not in primary.message or len(subjects) != 1:
        return _same_cause(primary, others)
    if not all(f.clause for f in others):
        return _same_cause(primary, others)
    joined = " and ".join(f.clause for f in members)
    return primary.message.replace(primary.clause, joined, 1)


_COMPOSERS: dict[str, Callable[[Finding, list[Finding]], str]] = {"lifecycle": _lifecycle}
