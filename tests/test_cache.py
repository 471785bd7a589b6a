"""The facts cache: hits return what was stored, anything unreadable is a miss, side files count,
no secret is written, it is private and capped, and it can be turned off."""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from pathlib import Path

import pytest

from nhilint import cache
from nhilint.config import Config
from nhilint.facts import Loc, StringValue
from nhilint.formats import Extraction, SourceFile
from nhilint.pipeline.extract import extract
from nhilint.pipeline.scan import scan as scan_paths

from .conftest import FIXTURES, run_cli

TOKEN = "ghp_R8x2Lq9ZbT4mW7nK3vY6pJ1sD5fH0gC8aE2u"
AWS_KEY = "AKIAZ7VRSQ4IEXFDJ2QM"  # the key in fixtures/insecure/terraform/aws/main.tf
OWN_KEY = "AKIAQ3EGRQ7LXN5TVW2H"

ROLE = """
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.app.id
  policy = file("${path.module}/policy.json")
}
"""
NARROW = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}\n'
WILDCARD = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n'


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NHILINT_NO_CACHE", raising=False)
    return tmp_path / "cache"


def entries(cache_root: Path, kind: str = "facts") -> list[Path]:
    return sorted(p for p in cache_root.rglob("*.json") if kind in p.parts)


def scan(root: Path):
    return scan_paths([root], Config(max_identity_lifetime_days=3650), root=root, use_cache=True)


def summary(result) -> list[tuple[str, str, int, str, str]]:
    return [(f.rule_id, f.loc.file, f.loc.line, f.message, f.fingerprint) for f in result.findings]


def cli(cwd: Path, cache_root: Path, *args: str) -> str:
    proc = run_cli("scan", *args, "--format", "json", cwd=cwd, env={"XDG_CACHE_HOME": str(cache_root)})
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def rules_at(report: str, rule: str) -> list[tuple[str, int]]:
    return [(f["file"], f["line"]) for f in json.loads(report)["findings"] if f["rule_id"] == rule]


def test_warm_json_report_equals_cold_on_the_insecure_fixtures(tmp_path: Path, own_cache: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "insecure", root)
    cold = cli(tmp_path, own_cache, "repo")
    stored = entries(own_cache)
    assert stored  # units without secrets are cached
    warm = cli(tmp_path, own_cache, "repo")
    assert warm == cold and json.loads(cold)["findings"]
    assert entries(own_cache) == stored  # all hits: nothing new written


def test_a_hit_is_served_from_the_cache(tmp_path: Path) -> None:
    unit = [SourceFile("main.tf", "terraform", 'locals {\n  a = "nothing secret"\n}\n')]
    planted = Extraction(
        facts=[StringValue(loc=Loc("main.tf", 2, 7), key="a", value="other", path="locals.a")]
    )
    cache.store(cache.key(unit), planted, "facts", encode=cache.encode_entry)
    result = extract(unit, use_cache=True)
    assert result.facts == planted.facts
    assert extract(unit, use_cache=False).facts != planted.facts


def test_key_depends_on_path_format_and_text() -> None:
    base = SourceFile("a/main.tf", "terraform", "x = 1\n")
    keys = {
        cache.key([base]),
        cache.key([SourceFile("b/main.tf", "terraform", "x = 1\n")]),
        cache.key([SourceFile("a/main.tf", "terraform", "x = 2\n")]),
        cache.key([SourceFile("a/main.tf", "kubernetes", "x = 1\n")]),
        cache.key([base, SourceFile("a/b.tf", "terraform", "")]),
    }
    assert len(keys) == 5


def test_corrupted_entry_is_ignored_and_rewritten(tmp_path: Path, own_cache: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text(
        ROLE.replace('file("${path.module}/policy.json")', f"jsonencode({WILDCARD})")
    )
    first = summary(scan(root))
    (entry,) = entries(own_cache)
    for garbage in (b"\x80\x04garbage", b'{"$type": "Extraction", "fields": {"facts": 5}}', b"[1, 2"):
        entry.write_bytes(garbage)
        assert summary(scan(root)) == first and first
        assert entry.read_bytes() != garbage


def test_no_cache_environment_variable(
    tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NHILINT_NO_CACHE", "1")
    (tmp_path / "main.tf").write_text(f'locals {{\n  a = "{TOKEN}"\n}}\n')
    assert [f.rule_id for f in scan(tmp_path).findings] == ["NHI101"]
    assert not any(p.is_file() for p in own_cache.rglob("*"))


def test_cli_no_cache_flag_writes_no_cache_at_all(tmp_path: Path, own_cache: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLE)
    (tmp_path / "policy.json").write_text(WILDCARD)
    (tmp_path / ".nhilint.yaml").write_text("fail-on: warning\n")
    env = {"XDG_CACHE_HOME": str(own_cache)}
    assert run_cli("scan", ".", "--no-cache", cwd=tmp_path, env=env).returncode == 1
    assert not any(p.is_file() for p in own_cache.rglob("*"))  # not facts, config, catalogue nor verdicts
    assert run_cli("scan", ".", cwd=tmp_path, env=env).returncode == 1
    assert len(entries(own_cache)) == 1 and entries(own_cache, "config")


@pytest.mark.parametrize("context", [False, True], ids=["scan", "pre-commit-context"])
def test_a_warm_scan_sees_a_changed_side_file(tmp_path: Path, own_cache: Path, context: bool) -> None:
    (tmp_path / "main.tf").write_text(ROLE)
    (tmp_path / "policy.json").write_text(NARROW)
    args = ("--context", ".", "main.tf") if context else (".",)
    assert rules_at(cli(tmp_path, own_cache, *args), "NHI201") == []
    assert rules_at(cli(tmp_path, own_cache, *args), "NHI201") == []  # warm
    (tmp_path / "policy.json").write_text(WILDCARD)  # only the side file changes
    assert rules_at(cli(tmp_path, own_cache, "."), "NHI201") == [("policy.json", 1)]


def test_a_warm_scan_sees_a_side_file_appear(tmp_path: Path, own_cache: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLE)
    assert rules_at(cli(tmp_path, own_cache, "."), "NHI201") == []
    (tmp_path / "policy.json").write_text(WILDCARD)
    assert rules_at(cli(tmp_path, own_cache, "."), "NHI201") == [("policy.json", 1)]


def test_no_secret_is_written_to_the_cache(tmp_path: Path, own_cache: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "insecure", root)
    (root / "ci.tf").write_text(f'locals {{\n  token = "{TOKEN}"\n  key = "{OWN_KEY}"\n}}\n')
    (root / "app.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n"
        "      image: app:1\n      env:\n        - name: DB_PASSWORD\n          value: Tr0ub4dor-horse\n"
    )
    report = cli(tmp_path, own_cache, "repo")
    assert {"NHI101", "NHI106"} <= {f["rule_id"] for f in json.loads(report)["findings"]}
    assert entries(own_cache)
    written = b"".join(p.read_bytes() for p in own_cache.rglob("*") if p.is_file())
    for secret in (AWS_KEY, OWN_KEY, TOKEN, "Tr0ub4dor-horse"):
        assert secret.encode() not in written
    assert cli(tmp_path, own_cache, "repo") == report  # and a warm scan still finds them all


def test_cache_directories_are_private(tmp_path: Path, own_cache: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLE)
    (tmp_path / "policy.json").write_text(NARROW)
    cli(tmp_path, own_cache, ".")
    made = [own_cache / "nhilint", *(own_cache / "nhilint").rglob("*")]
    assert entries(own_cache)
    for path in made:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o755])
def test_a_cache_directory_open_to_others_is_refused(tmp_path: Path, own_cache: Path, mode: int) -> None:
    shared = own_cache / "nhilint"
    shared.mkdir(parents=True)
    shared.chmod(mode)
    (tmp_path / "main.tf").write_text(f'locals {{\n  a = "{TOKEN}"\n}}\n')
    proc = run_cli("scan", ".", cwd=tmp_path, env={"XDG_CACHE_HOME": str(own_cache)})
    assert proc.returncode == 1 and "NHI101" in proc.stdout
    assert str(shared) in proc.stderr and proc.stderr.count("\n") == 1  # one note, naming the directory
    assert list(shared.iterdir()) == []


def test_eviction_drops_the_least_recently_used(own_cache: Path) -> None:
    now = time.time()
    for age in range(6):
        cache.store(f"{age:02d}" + "0" * 62, {"payload": "x" * 1000}, "facts")
    root = cache.directory()
    assert root is not None
    paths = sorted(root.glob("facts/*/*.json"))
    for age, path in enumerate(paths):
        os.utime(path, (now - 3600 * age, now - 3600 * age))
    cache.evict(root, max_bytes=4 * paths[0].stat().st_size)  # keeps 3/4 of the cap: 3 entries
    assert sorted(root.glob("facts/*/*.json")) == paths[:3]


def test_a_hit_refreshes_an_old_entry(own_cache: Path) -> None:
    digest = "ab" * 32
    cache.store(digest, [1, 2], "config")
    path = cache.entry_path(digest, "config")
    assert path is not None
    old = time.time() - 3 * 86400
    os.utime(path, (old, old))
    assert cache.load(digest, "config") == [1, 2]
    assert path.stat().st_mtime > old + 86400


OIDC_WORKFLOW = """\
name: deploy
on: push
permissions:
  contents: read
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
"""


def test_an_oidc_workflow_is_cached(tmp_path: Path, own_cache: Path) -> None:
    """`id-token: write` is an access level, not a secret: the recommended workflow is warm too."""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "deploy.yml").write_text(OIDC_WORKFLOW)
    first = cli(repo, own_cache, ".")
    assert len(entries(own_cache)) == 1
    assert cli(repo, own_cache, ".") == first


def test_a_password_in_a_workflow_is_still_not_cached(tmp_path: Path, own_cache: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    leaky = OIDC_WORKFLOW + "        env:\n          DB_PASSWORD: write-only-Tr0ub4dor\n"
    (repo / ".github" / "workflows" / "deploy.yml").write_text(leaky)
    assert {"NHI101", "NHI106"} & {f["rule_id"] for f in json.loads(cli(repo, own_cache, "."))["findings"]}
    assert entries(own_cache) == []


def test_the_code_stamp_covers_every_module_that_decides_facts() -> None:
    """A cached extraction is only as fresh as the code that made it: the knowledge formats lean on
    (credential detectors, IAM normalisation) is part of the stamp, and every stamped path exists
    (a module moved without updating the list made every scan an internal error)."""
    package = Path(cache.__file__).parent
    assert all((package / name).exists() for name in cache._CODE)
    stamped = {
        p
        for name in cache._CODE
        for p in ((package / name).rglob("*.py") if (package / name).is_dir() else [])
    }
    assert {package / "knowledge" / "secrets.py", package / "knowledge" / "iam_policy.py"} <= stamped
