"""Optional online analysis through an OpenAI-compatible chat-completions endpoint.

Off by default and never required. When a clinic configures it (URL and model in
`online_analysis.json` in the data directory, the API key in the OS keyring), the same
clinical inputs triage used, minus names and identifiers, may be sent; the answer is shown
beside the offline result, labelled as decision support with the model's name. A timeout, an
HTTP error, an unreachable server or an answer that is not the expected JSON never hides the
offline result: the caller gets a note saying what went wrong instead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.errors

from clinic_app.errors import ValidationError
from clinic_app.triage.engine import prepare_facts
from clinic_app.triage.models import OnlineOpinion, TriageInput, TriageResult, Urgency
from clinic_app.triage.redaction import redact

log = logging.getLogger(__name__)

CONFIG_FILE = "online_analysis.json"
KEYRING_SERVICE = "clinic_app.online_analysis"
MAX_ANSWER = 4000
_SYSTEM_PROMPT = (
    "You are a clinical decision-support assistant helping a clinician triage a patient. "
    "You receive symptoms, history, age, sex and vital signs (no identifiers). Reply with "
    'JSON only: {"urgency": "emergency" | "urgent" | "routine", "summary": "<= 5 sentences", '
    '"red_flags": ["..."], "recommendations": ["..."]}. Be cautious; you do not diagnose.'
)


@dataclass(frozen=True)
class OnlineAnalysisConfig:
    enabled: bool = False
    url: str = ""
    model: str = ""
    timeout_seconds: float = 20.0

    @classmethod
    def load(cls, data_dir: Path) -> OnlineAnalysisConfig:
        path = data_dir / CONFIG_FILE
        if not path.is_file():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                enabled=bool(raw.get("enabled", False)),
                url=str(raw.get("url", "")),
                model=str(raw.get("model", "")),
                timeout_seconds=float(raw.get("timeout_seconds", 20.0)),
            )
        except (OSError, ValueError, AttributeError, TypeError):
            log.warning("online analysis settings unreadable; online analysis stays off")
            return cls()

    def save(self, data_dir: Path) -> None:
        if self.enabled and not (self.url.startswith(("https://", "http://")) and self.model):
            raise ValidationError("Give the endpoint's http(s) URL and the model name.")
        (data_dir / CONFIG_FILE).write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @property
    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith("/chat/completions") else base + "/chat/completions"


def keyring_api_key(url: str) -> str | None:
    try:
        return keyring.get_password(KEYRING_SERVICE, url)
    except keyring.errors.KeyringError:
        return None


def store_api_key(url: str, key: str) -> None:
    keyring.set_password(KEYRING_SERVICE, url, key)


class OnlineAnalyst:
    def __init__(
        self,
        config: OnlineAnalysisConfig,
        api_key: Callable[[str], str | None] = keyring_api_key,
    ) -> None:
        self.config = config
        self._api_key = api_key

    @property
    def available(self) -> bool:
        return self.config.enabled and bool(self.config.url and self.config.model)

    def payload(
        self, data: TriageInput, offline: TriageResult, names: Iterable[str]
    ) -> dict[str, Any]:
        """What is sent: clinical facts only. Names, ids, dates and numbers that look like
        identifiers are removed from the text; the age is whole years (months under 2)."""
        facts = prepare_facts(data)
        names = list(names)
        age = facts.age_years
        case = {
            "symptoms": redact(data.symptoms or "", names),
            "history": redact(data.history or "", names),
            "age": None
            if age is None
            else (f"{round(age * 12)} months" if age < 2 else f"{int(age)} years"),
            "sex": facts.sex or "unknown",
            "vital_signs": facts.vitals,
            "offline_triage": {
                "urgency": offline.urgency.value,
                "red_flags": [flag.name for flag in offline.red_flags],
            },
        }
        return {
            "model": self.config.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": _SYSTEM_PROMPT},
                {"role": "user", "content": json.dumps(case, ensure_ascii=False)},
            ],
        }

    def consult(
        self, data: TriageInput, offline: TriageResult, names: Iterable[str] = ()
    ) -> tuple[OnlineOpinion | None, str | None]:
        """(opinion, None) on success; (None, note for the user) on any failure."""
        if not self.available:
            return None, "Online analysis is not configured; the offline result is shown."
        headers = {"Content-Type": "application/json"}
        key = self._api_key(self.config.url)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        body = self.payload(data, offline, names)
        # Imported here, not at start-up: most clinics never configure online analysis.
        import requests

        try:
            response = requests.post(
                self.config.endpoint,
                json=body,
                headers=headers,
                timeout=self.config.timeout_seconds,
            )
        except requests.Timeout:
            return None, _note("did not answer in time")
        except requests.RequestException:
            return None, _note("could not be reached (offline?)")
        if response.status_code != 200:
            log.info("online analysis HTTP %d", response.status_code)
            return None, _note(f"answered with an error (HTTP {response.status_code})")
        try:
            content = response.json()["choices"][0]["message"]["content"]
            answer = _parse_answer(content)
        except (ValueError, KeyError, IndexError, TypeError):
            return None, _note("sent an answer that is not in the expected format")
        urgency_text = str(answer.get("urgency", "")).strip().lower()
        urgency = Urgency(urgency_text) if urgency_text in set(Urgency) else None
        parts = [str(answer.get("summary", "")).strip()]
        parts += [f"Red flag: {flag}" for flag in answer.get("red_flags") or [] if flag]
        parts += [f"Recommendation: {item}" for item in answer.get("recommendations") or [] if item]
        text = "\n".join(p for p in parts if p)[:MAX_ANSWER]
        if not text and urgency is None:
            return None, _note("sent an empty answer")
        model = str(self.config.model)
        return OnlineOpinion(
            model=model,
            label=f"Online decision support ({model}): not a diagnosis; check against the "
            "offline result and your own judgement.",
            text=text,
            urgency=urgency,
        ), None


def _parse_answer(content: Any) -> dict[str, Any]:
    if not isinstance(content, str):
        raise TypeError("content is not text")
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`")
        text = text[text.find("{") :] if "{" in text else text
    parsed = json.loads(text)
    if not isinstance(parsed, dict):
        raise TypeError("answer is not an object")
    return parsed


def _note(what: str) -> str:
    return f"The online analysis {what}; only the offline result is shown."
