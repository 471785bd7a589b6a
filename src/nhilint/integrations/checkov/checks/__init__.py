"""checkov's external-checks directory: `checkov --external-checks-dir "$(nhilint checkov-dir)"`.

checkov executes every module here once per framework runner; each module registers one check per
nhilint rule of its format, all delegating to `nhilint.integrations.checkov`.
"""
