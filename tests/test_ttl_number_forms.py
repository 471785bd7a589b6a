"""NHI303 reads a Terraform lifetime in every form Terraform hands a provider as a whole number:
`4e4`, `43200.0` and the string `"43200"` are 40,000 and 43,200 seconds, as `43200` is."""

from __future__ import annotations

ROLE = """
resource "aws_iam_role" "{name}" {{
  name                 = "{name}"
  max_session_duration = {value}
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  tags                 = {{ owner = "team-a", expires = "2027-01-01" }}
}}
"""

FORMS = {"literal": "43200", "exponent": "4.32e4", "fraction": "43200.0", "quoted": '"43200"'}


def test_every_whole_number_form_of_a_role_session_is_judged(scan) -> None:
    text = "".join(ROLE.format(name=name, value=value) for name, value in FORMS.items())
    result = scan({"main.tf": text})
    found = {f.identity.name: f.message for f in result.unfolded if f.rule_id == "NHI303"}
    assert sorted(found) == sorted(FORMS), found
    assert all("43200 s (12 h)" in message for message in found.values()), found


def test_a_short_session_in_exponent_form_passes(scan) -> None:
    result = scan({"main.tf": ROLE.format(name="short", value="3.6e3")})
    assert [f for f in result.unfolded if f.rule_id == "NHI303"] == []


def test_a_vault_ttl_in_exponent_form_is_judged(scan) -> None:
    vault = 'resource "vault_token" "ci" {\n  policies = ["deploy"]\n  ttl      = 8.64e4\n}\n'
    result = scan({"main.tf": vault})
    assert [(f.loc.line, "86400 s (1 d)" in f.message) for f in result.unfolded if f.rule_id == "NHI303"] == [
        (3, True)
    ]
