"""Formats of the keys of LLM providers and agent platforms: what an AI agent is handed.

Each entry is a credential detector of `secrets` (high confidence: the prefix proves what the token
is), written as (kind, hints, pattern): one of the `hints` must occur in a value before the
pattern runs, group `body` is the random part (checked for placeholders such as `hf_xxxx...`).
Only formats a vendor documents or a maintained secret scanner pins down (length and alphabet) are
listed; a bare `sk-` followed by anything is not (DeepSeek, Moonshot and a dozen proxies share it).

Sources: gitleaks `config/gitleaks.toml` (OpenAI, Anthropic, Hugging Face, Perplexity, Amazon
Bedrock), TruffleHog `pkg/detectors/<name>` (Groq, Replicate, Pinecone, OpenRouter, LangSmith).
Google AI Studio (Gemini) keys are Google API keys (`AIza`), already a detector of `secrets`.
"""

from __future__ import annotations

_B = r"(?<![A-Za-z0-9_-])"  # not inside a longer token
_E = r"(?![A-Za-z0-9_-])"

AGENT_KEY_FORMATS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    # Project, service-account and admin keys carry OpenAI's `T3BlbkFJ` marker (base64 of "OpenAI")
    # between two random halves; legacy user keys too, with shorter halves.
    (
        "OpenAI API key",
        ("T3BlbkFJ",),
        _B + r"sk-(?:(?:proj|svcacct|admin)-)?(?P<body>[\w-]{20,74}T3BlbkFJ[\w-]{20,74})" + _E,
    ),
    (
        "Anthropic API key",
        ("sk-ant-",),
        _B + r"sk-ant-(?:api|admin|oat|ort)\d\d-(?P<body>[\w-]{80,120})" + _E,
    ),
    ("Hugging Face access token", ("hf_",), _B + r"hf_(?P<body>[A-Za-z]{34})" + _E),
    ("Hugging Face organization token", ("api_org_",), _B + r"api_org_(?P<body>[A-Za-z]{34})" + _E),
    ("Groq API key", ("gsk_",), _B + r"gsk_(?P<body>[A-Za-z0-9]{52})" + _E),
    ("Replicate API token", ("r8_",), _B + r"r8_(?P<body>[A-Za-z0-9_-]{37})" + _E),
    ("Pinecone API key", ("pcsk_",), _B + r"pcsk_(?P<body>[A-Za-z0-9]{4,10}_[A-Za-z0-9]{40,80})" + _E),
    ("OpenRouter API key", ("sk-or-v1-",), _B + r"sk-or-v1-(?P<body>[0-9a-f]{64})" + _E),
    ("Perplexity API key", ("pplx-",), _B + r"pplx-(?P<body>[A-Za-z0-9]{48})" + _E),
    ("LangSmith API key", ("lsv2_",), _B + r"lsv2_(?:pt|sk)_(?P<body>[a-f0-9]{32}_[a-f0-9]{10})" + _E),
    ("Amazon Bedrock API key", ("ABSK",), r"(?<![A-Za-z0-9+/])ABSK(?P<body>[A-Za-z0-9+/]{109,269}={0,2})"),
)
