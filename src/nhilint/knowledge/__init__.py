"""Domain knowledge that formats and rules share: IAM actions and policy normalisation (`iam`),
credential detectors (`secrets`), credential names and placeholders (`credential_names`), redaction
(`redaction`), which CI names and commands carry a cloud key (`ci_credentials`).

A knowledge module imports only facts, the located tree and parsers: never a format, a rule or the
pipeline, so a format and a rule can both lean on it without depending on each other.
"""
