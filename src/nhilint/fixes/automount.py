"""NHI401 (unsafe): a Kubernetes pod spec that names no ServiceAccount gets
`automountServiceAccountToken: false`, as its first key, so the default ServiceAccount's token is
no longer mounted into it.

Unsafe: a workload that calls the Kubernetes API loses its token. A workload that visibly needs it
is left alone (it says `automountServiceAccountToken: true`, runs kubectl or helm, reads the
mounted token or the in-cluster API address): it needs a dedicated ServiceAccount, not this fix.
"""

from __future__ import annotations

import re
from typing import Any

from nhilint.fixes.base import Fix, Fixer, FixInput
from nhilint.fixes.located import documents
from nhilint.fixes.text import Text
from nhilint.formats.kubernetes.workloads import WORKLOAD_KINDS, pod_spec
from nhilint.parse.tree import LMap, LSeq

SETTING = "automountServiceAccountToken: false"
# What in a container shows it talks to the API server with the mounted token.
_API_CLIENT = re.compile(
    r"\bkubectl\b|\bhelm\b|kubernetes\.io/serviceaccount|KUBERNETES_SERVICE_HOST|kubernetes\.default",
    re.IGNORECASE,
)
_ACCOUNT_KEYS = ("serviceAccountName", "serviceAccount", "automountServiceAccountToken")


def fix(given: FixInput) -> list[Fix]:
    text = Text(given.text)
    specs: dict[int, LMap] = {}
    for obj in documents("kubernetes", given.path, given.text):
        found = pod_spec(obj) if obj.get("kind") in WORKLOAD_KINDS else None
        if found is not None:
            specs[found[0].kpos("spec").line] = found[1]
    fixes = []
    for finding in given.findings:
        # the rule reports a workload that names no ServiceAccount at its pod spec's `spec:` line
        spec = specs.get(finding.loc.line)
        if spec is None or any(key in spec for key in _ACCOUNT_KEYS) or _calls_api(spec):
            continue
        line, col = spec.pos
        indent = text.line(line)[: col - 1]
        if line <= finding.loc.line or indent.strip() or text.line(line)[col - 1 : col] in ("{", "["):
            continue  # not a block mapping whose first key starts its own line
        fixes.append(
            Fix(
                "NHI401",
                "unsafe",
                "stop mounting the default ServiceAccount's token (`automountServiceAccountToken: false`)",
                (text.insert_lines(line, [indent + SETTING]),),
                (finding,),
                advice="If this workload calls the Kubernetes API, give it a dedicated ServiceAccount "
                "(`serviceAccountName`) with only the RBAC it needs instead.",
            )
        )
    return fixes


def _calls_api(spec: LMap) -> bool:
    """True when a container's image, command, arguments or environment show an API client."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        containers = spec.get(key)
        for container in containers if isinstance(containers, LSeq) else ():
            if isinstance(container, LMap) and any(
                _API_CLIENT.search(value) for value in _strings([container.get(k) for k in _READ])
            ):
                return True
    return False


_READ = ("image", "command", "args", "env", "volumeMounts")


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


FIXER = Fixer("automount", frozenset({"NHI401"}), frozenset({"kubernetes"}), "unsafe", fix)
