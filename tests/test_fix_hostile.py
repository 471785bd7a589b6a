"""`nhilint fix` against what a hostile or busy repository does: a file edited while it is fixed,
values from the repository's configuration written into the files it fixes."""

from __future__ import annotations

from pathlib import Path

from nhilint.fixes import session

from .conftest import run_cli
from .fix_harness import run_fix

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  serviceAccountName: web
  containers:
    - name: app
      image: registry.example.com/web:1.0
  volumes:
    - name: tok
      projected:
        sources:
          - serviceAccountToken:
              path: token
              expirationSeconds: 86400
"""

ROLE = """\
provider "aws" {
  region = "eu-west-1"
}

resource "aws_iam_role" "audit" {
  name = "audit"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole"
    }]
  })
}
"""


def test_a_file_edited_while_it_is_fixed_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    outcome = run_fix(tmp_path)
    assert "expirationSeconds: 3600" in outcome.texts["pod.yaml"]
    edited = POD.replace("name: web\n", "name: web-v2\n", 1)
    path.write_text(edited)  # someone saves the file between the scan and the write

    failed = session.write_all(outcome)

    assert path.read_text() == edited  # their edit is kept, not silently replaced
    assert len(failed) == 1 and "pod.yaml" in failed[0] and "changed" in failed[0]


def test_an_unchanged_file_is_written(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    assert session.write_all(run_fix(tmp_path)) == []
    assert "expirationSeconds: 3600" in path.read_text()


def test_a_configured_tag_key_is_written_as_text_never_as_a_terraform_template(tmp_path: Path) -> None:
    # The repository's own configuration names the tag key: `${...}` in it must not become an
    # interpolation in the fixed file (it would also never read back as the key: a fix loop).
    (tmp_path / ".nhilint.yaml").write_text(
        'owner-keys: ["owner-${data.external.x.result.y}"]\nfix:\n  owner: team-x\n'
    )
    (tmp_path / "main.tf").write_text(ROLE)

    done = run_cli("fix", ".", "--unsafe-fixes", cwd=tmp_path)

    assert done.returncode != 2, done.stderr
    assert '"owner-$${data.external.x.result.y}" = "team-x"' in (tmp_path / "main.tf").read_text()
    assert "${data" not in (tmp_path / "main.tf").read_text().replace("$${data", "")


def test_a_configured_annotation_key_yaml_reads_as_null_is_quoted(tmp_path: Path) -> None:
    # `null: "team-x"` would be a null key, never the `null` annotation the rules look for.
    (tmp_path / ".nhilint.yaml").write_text('owner-keys: ["null"]\nfix:\n  owner: team-x\n')
    account = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: payments\n  namespace: shop\n"
    (tmp_path / "sa.yaml").write_text(account)

    done = run_cli("fix", ".", "--unsafe-fixes", cwd=tmp_path)

    assert done.returncode != 2, done.stderr
    assert (tmp_path / "sa.yaml").read_text() == account + '  annotations:\n    "null": "team-x"\n'
