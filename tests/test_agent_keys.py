"""Keys of LLM providers and agent platforms (NHI101): each documented format is a credential
wherever it is written, placeholders in the same shape are not, and the key is never shown whole.

Every token is built at run time from a seeded generator: no pattern-valid secret is written in
this file (push protection and secret scanners stay quiet) and each run is the same.
"""

from __future__ import annotations

import random
import string

import pytest

from nhilint.knowledge.redaction import redact_secrets
from nhilint.knowledge.secrets import detect

_RNG = random.Random(21)
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"


def rnd(n: int, alphabet: str = ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


MARKER = "T3Blbk" + "FJ"  # OpenAI's marker, split so that this file holds no key-shaped text
KEYS = {
    "OpenAI API key": "sk-" + "proj-" + rnd(74, URLSAFE) + MARKER + rnd(74, URLSAFE),
    "OpenAI API key (service account)": "sk-" + "svcacct-" + rnd(58, URLSAFE) + MARKER + rnd(58, URLSAFE),
    "OpenAI API key (legacy)": "sk-" + rnd(20) + MARKER + rnd(20),
    "Anthropic API key": "sk-" + "ant-api03-" + rnd(93, URLSAFE) + "AA",
    "Anthropic API key (admin)": "sk-" + "ant-admin01-" + rnd(93, URLSAFE) + "AA",
    "Hugging Face access token": "hf" + "_" + rnd(34, string.ascii_letters),
    "Hugging Face organization token": "api_org" + "_" + rnd(34, string.ascii_letters),
    "Groq API key": "gsk" + "_" + rnd(52),
    "Replicate API token": "r8" + "_" + rnd(37),
    "Pinecone API key": "pcsk" + "_" + rnd(6) + "_" + rnd(63),
    "OpenRouter API key": "sk-" + "or-v1-" + rnd(64, HEX),
    "Perplexity API key": "pplx" + "-" + rnd(48),
    "LangSmith API key": "lsv2" + "_pt_" + rnd(32, HEX) + "_" + rnd(10, HEX),
    "Amazon Bedrock API key": "AB" + "SK" + rnd(132, ALNUM + "+/"),
    "Google API key": "AI" + "za" + rnd(35, URLSAFE),  # Google AI Studio / Gemini
}


NAMES = sorted(KEYS)


def kind_of(name: str) -> str:
    return name.split(" (")[0]


@pytest.mark.parametrize("name", NAMES)
def test_each_key_format_is_a_credential_without_a_credential_named_field(name: str) -> None:
    key = KEYS[name]
    found = detect(key)
    assert found is not None and found.kind == kind_of(name) and found.confidence == "high"
    assert key[found.start : found.end] == key


@pytest.mark.parametrize("name", NAMES)
def test_each_key_inside_a_header_or_a_command_line(name: str) -> None:
    key = KEYS[name]
    for text in (f"Bearer {key}", f"--api-key={key}", f"export LLM_KEY='{key}'"):
        found = detect(text)
        assert found is not None and found.kind == kind_of(name), text
        assert text[found.start : found.end] == key


@pytest.mark.parametrize("name", NAMES)
def test_each_key_is_redacted_to_its_prefix(name: str) -> None:
    key = KEYS[name]
    shown = redact_secrets(f'{{"env": {{"LLM_KEY": "{key}"}}}}')
    assert key not in shown and key[8:] not in shown


@pytest.mark.parametrize(
    "value",
    [
        "sk-proj-" + "x" * 74 + MARKER + "x" * 74,  # a template's filler
        "sk-ant-api03-" + "X" * 93 + "AA",
        "hf_" + "x" * 34,
        "gsk_your_groq_api_key_here",
        "r8_" + "0" * 37,
        "pcsk_xxxxxx_" + "x" * 63,
        "<your-openai-key>",
        "YOUR_API_KEY",
        "${env:OPENAI_API_KEY}",
        "${input:anthropic-key}",
        "${{ secrets.HF_TOKEN }}",
        "sk-...",
        "sk-ant-...",
        "hf_...",
    ],
)
def test_placeholders_in_the_same_shape_stay_silent(value: str) -> None:
    assert detect(value, "OPENAI_API_KEY") is None
    assert detect(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "sk-" + rnd(48),  # a bare `sk-` key: DeepSeek, Moonshot and proxies share the prefix, no format
        "hf_" + rnd(34, string.ascii_letters) + "9",  # longer than the format: part of something else
        "gsk_" + rnd(30),  # too short for a Groq key
        "my-r8_service-name",
    ],
)
def test_lookalikes_without_the_documented_shape_are_not_agent_keys(value: str) -> None:
    found = detect(value)
    assert found is None or found.kind not in {kind_of(n) for n in KEYS}
