"""Workloads (Pods and the controllers that template them): the ServiceAccount each runs as, its
literal environment values and its projected ServiceAccount tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import EnvVar, Fact, Lifetime, Workload
from nhilint.formats.kubernetes.manifest import Manifest, sa_address
from nhilint.parse.tree import LMap, LSeq, Pos

WORKLOAD_KINDS = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}
)
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def workload_facts(m: Manifest) -> Iterator[Fact]:
    found = pod_spec(m.obj)
    if found is None:
        return
    holder, spec = found
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    account_key = "serviceAccountName" if "serviceAccountName" in spec else "serviceAccount"
    named = isinstance(account, str) and account != ""
    if not named and is_patch(m.obj, spec):
        return  # a kustomize patch: the base it patches names (or not) the ServiceAccount
    identity = sa_address(m.namespace, account if isinstance(account, str) and named else "default")
    automount = spec.get("automountServiceAccountToken")
    name = m.display(m.qualified)
    yield Workload(
        loc=m.loc(m.meta.kpos("name")),
        kind=m.kind,
        name=name,
        platform="kubernetes",
        identity=identity,
        identity_loc=m.loc(spec.kpos(account_key) if named else holder.kpos("spec")),
        uses_default=not named or account == "default",
        token_mounted=automount if isinstance(automount, bool) else None,
    )
    for env_name, value, pos in env_literals(m.obj):
        yield EnvVar(loc=m.loc(pos), name=env_name, value=value, workload=f"{m.kind} {name}")
    yield from projected_tokens(m, spec, identity)


def is_patch(obj: LMap, spec: LMap) -> bool:
    """A partial workload (kustomize strategic-merge patch): a container without `image`, or an
    apps/v1 controller without the `selector` the API server requires."""
    containers = list(_containers(spec))
    if not containers or any("image" not in c for c in containers):
        return True
    spec_of_obj = obj.get("spec")
    needs_selector = obj.get("apiVersion") == "apps/v1" and obj.get("kind") != "Pod"
    return needs_selector and not (isinstance(spec_of_obj, LMap) and "selector" in spec_of_obj)


def projected_tokens(m: Manifest, spec: LMap, identity: str) -> Iterator[Lifetime]:
    volumes = spec.get("volumes")
    for volume in volumes if isinstance(volumes, LSeq) else ():
        projected = volume.get("projected") if isinstance(volume, LMap) else None
        sources = projected.get("sources") if isinstance(projected, LMap) else None
        for source in sources if isinstance(sources, LSeq) else ():
            token = source.get("serviceAccountToken") if isinstance(source, LMap) else None
            seconds = token.get("expirationSeconds") if isinstance(token, LMap) else None
            if isinstance(token, LMap) and isinstance(seconds, int) and not isinstance(seconds, bool):
                yield Lifetime(
                    loc=m.loc(token.kpos("expirationSeconds")),
                    setting="expirationSeconds",
                    seconds=seconds,
                    identity=identity,
                    platform="kubernetes",
                )


def pod_spec(obj: LMap) -> tuple[LMap, LMap] | None:
    """(holder, spec): the pod spec of a workload and the mapping whose `spec` key it is."""
    holder: Any = obj
    path: tuple[str, ...] = ("spec", "template")
    if obj.get("kind") == "Pod":
        path = ()
    if obj.get("kind") == "CronJob":
        path = ("spec", "jobTemplate", "spec", "template")
    for key in path:
        holder = holder.get(key) if isinstance(holder, LMap) else None
    spec = holder.get("spec") if isinstance(holder, LMap) else None
    return (holder, spec) if isinstance(spec, LMap) else None


def _containers(spec: LMap) -> Iterator[LMap]:
    for key in CONTAINER_LISTS:
        items = spec.get(key)
        if isinstance(items, LSeq):
            yield from (c for c in items if isinstance(c, LMap))


def env_literals(obj: LMap) -> Iterator[tuple[str, str, Pos]]:
    """(name, literal value, value position) of every container `env[].value` of a workload."""
    found = pod_spec(obj) if obj.get("kind") in WORKLOAD_KINDS else None
    if found is None:
        return
    for container in _containers(found[1]):
        env = container.get("env")
        for item in env if isinstance(env, LSeq) else ():
            if (
                isinstance(item, LMap)
                and isinstance(item.get("name"), str)
                and isinstance(item.get("value"), str)
            ):
                yield item["name"], item["value"], item.vpos("value")
