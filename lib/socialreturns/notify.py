"""Sending alerts: the ``alerts:`` section of a batch file, the sent-once state, webhook and e-mail.

Light (standard library and `socialreturns.inputs` only), so that a batch file is checked before
anything heavy is imported. The section is read once into small frozen dataclasses
(`read_config`), every key checked; credentials never come from the file: it names environment
variables (``password_env``, ``authorization_env``, ``url_env``) and a password, token or secret
written into it is refused.

Each channel (``webhook``, ``email``) is sent every alert once: `State` (``alerts_state.json``
beside the batch's manifest, written atomically) keeps, per alert and channel, ``sent`` or
``pending`` with the attempts and the last error. A send that fails is logged, stays pending and
is retried by the next run; it never raises. Delivery is at least once: a batch killed between a
send and the state's write sends again, so receivers deduplicate by the alert's stable ``id``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from socialreturns.inputs import InputError, write_atomically

log = logging.getLogger("socialreturns.alerts")

STATE_FILE = "alerts_state.json"
ALERTS_FILE = "alerts.json"
KINDS = ("crisis", "sla_breach", "disclosure_missing")
ALERT_KEYS = ("data_dir", "column_map_file", "brand", "brands", "creators_file", "as_of", "sla_hours",
              "lookback_days", "history_days", "kinds", "webhook", "email")  # fmt: skip
WEBHOOK_KEYS = ("url", "url_env", "authorization_env", "timeout_seconds", "retries", "backoff_seconds")
EMAIL_KEYS = ("host", "port", "starttls", "from", "to", "username_env", "password_env", "timeout_seconds",
              "retries", "backoff_seconds", "subject")  # fmt: skip
#: Keys that would put a credential into a file of the repository.
_SECRET_WORDS = ("password", "passwd", "secret", "token", "api_key", "apikey", "credential", "authorization")


@dataclasses.dataclass(frozen=True)
class Retry:
    """How one channel tries: each attempt waits at most ``timeout_seconds``; after a failure the
    next waits ``backoff_seconds * 2**k`` (k = 0, 1, ...), at most ``retries`` more attempts."""

    timeout_seconds: float = 10.0
    retries: int = 2
    backoff_seconds: float = 1.0


@dataclasses.dataclass(frozen=True)
class Webhook:
    """An HTTP endpoint that receives the new alerts as one JSON POST per run."""

    url: str | None = None
    url_env: str | None = None  # the URL from this variable (Slack-style URLs hold a token)
    authorization_env: str | None = None  # the Authorization header's value from this variable
    retry: Retry = Retry()


@dataclasses.dataclass(frozen=True)
class Email:
    """An SMTP server and the message's sender and recipients; credentials from the environment."""

    host: str
    port: int = 587
    starttls: bool = True
    sender: str = ""
    to: tuple[str, ...] = ()
    username_env: str | None = None
    password_env: str | None = None
    subject: str = "socialreturns alerts"
    retry: Retry = Retry()


@dataclasses.dataclass(frozen=True)
class AlertsConfig:
    """The ``alerts:`` section of a batch file, checked (`read_config`)."""

    data_dir: str = "data/sample"
    column_map_file: str = ""
    brand: str = "Lumora"
    brands: tuple[str, ...] = ()  # every brand of the data when empty
    creators_file: str = "params/organisation/creators.yaml"
    as_of: str = "latest"  # "latest" (the data's last timestamp), "now", or an ISO timestamp
    sla_hours: float = 24.0
    lookback_days: float = 3.0
    history_days: int = 180
    kinds: tuple[str, ...] = KINDS
    webhook: Webhook | None = None
    email: Email | None = None

    @property
    def channels(self) -> dict[str, Webhook | Email]:
        out: dict[str, Webhook | Email] = {}
        if self.webhook is not None:
            out["webhook"] = self.webhook
        if self.email is not None:
            out["email"] = self.email
        return out


def _fail(problem: str, source: object, key: str, expected: str, hint: str | None = None) -> InputError:
    return InputError(problem, file=str(source) if source else None, key=key, expected=expected, hint=hint)


def _refuse_secrets(section: Mapping[str, Any], where: str, source: object) -> None:
    for key in section:
        k = str(key).lower()
        if any(w in k for w in _SECRET_WORDS) and not k.endswith("_env"):
            raise _fail(f"holds '{key}', a credential written into the batch file", source, f"{where}.{key}",
                        f"the name of an environment variable that holds it, e.g. {key}_env: "
                        f"SOCIALRETURNS_{str(key).upper()}",
                        "Credentials never go into files of the repository; export the variable in the "
                        "cron job's or systemd unit's environment instead.")  # fmt: skip


def _known(section: object, keys: Sequence[str], where: str, source: object) -> dict[str, Any]:
    if not isinstance(section, Mapping):
        raise _fail(f"is {section!r}", source, where, "a mapping of " + ", ".join(keys))
    _refuse_secrets(section, where, source)
    for key in section:
        if key not in keys:
            raise _fail(f"has the unknown key '{key}'", source, f"{where}.{key}", "one of " + ", ".join(keys))
    return dict(section)


def _positive(value: Any, key: str, source: object, *, whole: bool = False, zero: bool = False) -> Any:
    ok = isinstance(value, int if whole else int | float) and not isinstance(value, bool)
    if not (ok and (value >= 0 if zero else value > 0) and value <= 1e6):
        kind = "whole number" if whole else "number"
        raise _fail(f"is {value!r}", source, key, f"a {'non-negative' if zero else 'positive'} {kind}")
    return value


def _text(value: Any, key: str, source: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"is {value!r}", source, key, "a non-empty string")
    return value.strip()


def _env_name(value: Any, key: str, source: object) -> str | None:
    if value is None:
        return None
    name = _text(value, key, source)
    if not name.replace("_", "").isalnum() or name[0].isdigit():
        raise _fail(f"is {value!r}", source, key, "the name of an environment variable, e.g. SMTP_PASSWORD")
    return name


def _retry(section: Mapping[str, Any], where: str, source: object) -> Retry:
    return Retry(
        float(_positive(section.get("timeout_seconds", 10.0), f"{where}.timeout_seconds", source)),
        int(_positive(section.get("retries", 2), f"{where}.retries", source, whole=True, zero=True)),
        float(_positive(section.get("backoff_seconds", 1.0), f"{where}.backoff_seconds", source, zero=True)),
    )


def _webhook(section: object, source: object) -> Webhook:
    s = _known(section, WEBHOOK_KEYS, "alerts.webhook", source)
    url = _text(s["url"], "alerts.webhook.url", source) if s.get("url") is not None else None
    url_env = _env_name(s.get("url_env"), "alerts.webhook.url_env", source)
    if (url is None) == (url_env is None):
        raise _fail("needs exactly one of url and url_env", source, "alerts.webhook",
                    "url: https://... or url_env: NAME_OF_A_VARIABLE_HOLDING_THE_URL")  # fmt: skip
    if url is not None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _fail(f"is {url!r}", source, "alerts.webhook.url", "an http:// or https:// URL")
        if parts.password is not None:
            raise _fail("holds a password (user:password@host)", source, "alerts.webhook.url",
                        "a URL without credentials; put the secret in authorization_env or url_env")  # fmt: skip
    return Webhook(url, url_env, _env_name(s.get("authorization_env"), "alerts.webhook.authorization_env", source),
                   _retry(s, "alerts.webhook", source))  # fmt: skip


def _email(section: object, source: object) -> Email:
    s = _known(section, EMAIL_KEYS, "alerts.email", source)
    for key in ("host", "from", "to"):
        if key not in s:
            raise _fail(
                f"has no {key}", source, f"alerts.email.{key}", "host, from and to (a list of addresses)"
            )
    to = [s["to"]] if isinstance(s["to"], str) else s["to"]
    if not isinstance(to, list) or not to or not all(isinstance(a, str) and "@" in a for a in to):
        raise _fail(f"is {s['to']!r}", source, "alerts.email.to", "an e-mail address or a list of them")
    if not isinstance(s.get("starttls", True), bool):
        raise _fail(f"is {s['starttls']!r}", source, "alerts.email.starttls", "true or false")
    port = int(_positive(s.get("port", 587), "alerts.email.port", source, whole=True))
    if (s.get("username_env") is None) != (s.get("password_env") is None):
        raise _fail("names one of username_env and password_env", source, "alerts.email",
                    "both (to log in) or neither (a relay that needs no login)")  # fmt: skip
    return Email(_text(s["host"], "alerts.email.host", source), port, s.get("starttls", True),
                 _text(s["from"], "alerts.email.from", source), tuple(a.strip() for a in to),
                 _env_name(s.get("username_env"), "alerts.email.username_env", source),
                 _env_name(s.get("password_env"), "alerts.email.password_env", source),
                 _text(s.get("subject", Email.subject), "alerts.email.subject", source),
                 _retry(s, "alerts.email", source))  # fmt: skip


def read_config(section: object, *, source: str | Path | None = None) -> AlertsConfig:
    """The ``alerts:`` section of a batch file, every key and value checked.

    Raises
    ------
    InputError
        An unknown key, a bad value, or a credential written into the file (``password``,
        ``token``, ``secret``... : name an environment variable instead), naming the key.
    """
    s = _known(section, ALERT_KEYS, "alerts", source)
    kinds = s.get("kinds", list(KINDS))
    if not isinstance(kinds, list) or not kinds or not set(kinds) <= set(KINDS):
        raise _fail(f"is {kinds!r}", source, "alerts.kinds", "a list of " + ", ".join(KINDS))
    brands = s.get("brands", [])
    if not isinstance(brands, list) or not all(isinstance(b, str) and b for b in brands):
        raise _fail(f"is {brands!r}", source, "alerts.brands", "a list of brand names")
    as_of = s.get("as_of", "latest")
    if isinstance(as_of, dt.datetime | dt.date):
        as_of = as_of.isoformat()
    if not isinstance(as_of, str) or not as_of:
        raise _fail(f"is {as_of!r}", source, "alerts.as_of", "latest, now or an ISO timestamp")
    if as_of not in ("latest", "now"):
        try:
            dt.datetime.fromisoformat(as_of.replace("Z", "+00:00"))
        except ValueError:
            raise _fail(f"is {as_of!r}", source, "alerts.as_of", "latest, now or an ISO timestamp") from None
    return AlertsConfig(
        data_dir=_text(s.get("data_dir", AlertsConfig.data_dir), "alerts.data_dir", source),
        column_map_file=str(s.get("column_map_file") or ""), brand=_text(s.get("brand", "Lumora"), "alerts.brand", source),
        brands=tuple(brands), creators_file=str(s.get("creators_file", AlertsConfig.creators_file) or ""),
        as_of=as_of, sla_hours=float(_positive(s.get("sla_hours", 24.0), "alerts.sla_hours", source)),
        lookback_days=float(_positive(s.get("lookback_days", 3.0), "alerts.lookback_days", source)),
        history_days=int(_positive(s.get("history_days", 180), "alerts.history_days", source, whole=True)),
        kinds=tuple(dict.fromkeys(kinds)),
        webhook=_webhook(s["webhook"], source) if s.get("webhook") is not None else None,
        email=_email(s["email"], source) if s.get("email") is not None else None,
    )  # fmt: skip


# --------------------------------------------------------------------------- state


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclasses.dataclass
class State:
    """What was sent: ``alerts`` maps an alert's id to the alert (as written to ``alerts.json``)
    with ``first_seen`` and ``channels`` (channel -> ``status`` ``sent`` or ``pending``,
    ``attempts``, ``sent_at``, ``last_error``)."""

    path: Path
    alerts: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, folder: Path) -> State:
        """The state beside the manifest in ``folder``; when there is none yet (a new day's
        folder, ``<out>/<batch>/<as-of>/``), the newest earlier as-of folder's, so that an alert
        sent yesterday is not sent again today. An unreadable file starts empty (logged)."""
        path = folder / STATE_FILE
        source = path
        if not path.is_file():
            earlier = sorted(p for p in folder.parent.glob(f"*/{STATE_FILE}") if p.parent.name < folder.name)
            source = earlier[-1] if earlier else path
        alerts: dict[str, dict[str, Any]] = {}
        if source.is_file():
            try:
                value = json.loads(source.read_text(encoding="utf-8"))
                alerts = dict(value["alerts"])
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("alerts state %s is unreadable (%s): starting afresh", source, exc)
        return cls(path, alerts)

    def save(self) -> None:
        write_atomically(self.path, json.dumps({"alerts": self.alerts}, indent=2, default=str))

    def pending(self, channel: str) -> list[dict[str, Any]]:
        """The alerts not yet sent on ``channel``, oldest first."""
        out = [
            a for a in self.alerts.values() if a.get("channels", {}).get(channel, {}).get("status") != "sent"
        ]
        return sorted(out, key=lambda a: (str(a.get("created")), a["id"]))

    def mark(self, channel: str, ids: Sequence[str], *, error: str | None, attempts: int) -> None:
        for i in ids:
            entry = self.alerts[i].setdefault("channels", {}).setdefault(channel, {"attempts": 0})
            entry["attempts"] = entry.get("attempts", 0) + attempts
            entry["status"] = "pending" if error else "sent"
            entry["last_error"] = error
            if not error:
                entry["sent_at"] = _now()


# --------------------------------------------------------------------------- sending


class SendError(Exception):
    """One attempt failed; ``retry`` says whether another attempt may succeed."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


def _env(name: str | None, what: str) -> str | None:
    if name is None:
        return None
    value = os.environ.get(name)
    if not value:
        raise SendError(f"the environment variable {name} ({what}) is not set", retry=False)
    return value


def post_json(webhook: Webhook, payload: Mapping[str, Any]) -> None:
    """One POST of ``payload`` as JSON; raises `SendError` unless the answer is 2xx."""
    url = webhook.url or _env(webhook.url_env, "the webhook URL")
    headers = {"Content-Type": "application/json", "User-Agent": "socialreturns-alerts"}
    if auth := _env(webhook.authorization_env, "the webhook's Authorization header"):
        headers["Authorization"] = auth
    body = json.dumps(payload, default=str).encode("utf-8")
    request = urllib.request.Request(str(url), data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=webhook.retry.timeout_seconds) as answer:
            answer.read(1024)
    except urllib.error.HTTPError as exc:  # 4xx other than 408 and 429 will not get better by retrying
        raise SendError(
            f"HTTP {exc.code} {exc.reason}", retry=exc.code >= 500 or exc.code in (408, 429)
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SendError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None


def send_mail(email: Email, subject: str, body: str, *, smtp: type[smtplib.SMTP] = smtplib.SMTP) -> None:
    """One message over SMTP: EHLO, STARTTLS when configured (certificate checked), login when
    ``username_env`` / ``password_env`` are named; raises `SendError` on failure."""
    user = _env(email.username_env, "the SMTP user")
    password = _env(email.password_env, "the SMTP password")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = email.sender, ", ".join(email.to), subject
    message.set_content(body)
    try:
        with smtp(email.host, email.port, timeout=email.retry.timeout_seconds) as server:
            server.ehlo()
            if email.starttls:
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if user is not None:
                server.login(user, password or "")
            server.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"SMTP login refused ({exc.smtp_code})", retry=False) from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise SendError(f"{type(exc).__name__}: {exc}") from None


def attempt(
    send: Callable[[], None], retry: Retry, *, sleep: Callable[[float], None] = time.sleep
) -> tuple[str | None, int]:
    """Call ``send`` until it succeeds, at most ``1 + retry.retries`` times, waiting
    ``backoff_seconds * 2**k`` between attempts. Returns (the last error or None, attempts)."""
    error = None
    for k in range(retry.retries + 1):
        try:
            send()
            return None, k + 1
        except SendError as exc:
            error = str(exc)
            if not exc.retry or k == retry.retries:
                return error, k + 1
            sleep(retry.backoff_seconds * 2**k)
    return error, retry.retries + 1  # pragma: no cover (the loop returns)


def mail_body(alerts: Sequence[Mapping[str, Any]], header: str) -> str:
    """The e-mail's plain text: one paragraph per alert."""
    lines = [header, ""]
    for a in alerts:
        lines += [
            f"[{a['kind']}] {a['created']}  post {a.get('post_id') or '-'}  (id {a['id']})",
            a["text"],
            "",
        ]
    return "\n".join(lines)


def deliver(config: AlertsConfig, state: State, context: Mapping[str, Any], *,
            smtp: type[smtplib.SMTP] = smtplib.SMTP, sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:  # fmt: skip
    """Send every channel its pending alerts (one POST, one message), record the outcome in
    ``state`` and save it after each channel. Never raises for a failed send.

    Returns
    -------
    Per channel: ``sent`` (alerts delivered now), ``pending`` (still to send), ``attempts``,
    ``error`` (the last one, None when delivered).
    """
    report: dict[str, Any] = {}
    for name, channel in config.channels.items():
        todo = state.pending(name)
        if not todo:
            report[name] = {"sent": 0, "pending": 0, "attempts": 0, "error": None}
            continue
        public = [{k: v for k, v in a.items() if k not in ("channels", "first_seen")} for a in todo]
        if isinstance(channel, Webhook):
            payload = {"source": "socialreturns", **context, "alerts": public}
            error, tries = attempt(lambda p=payload, c=channel: post_json(c, p), channel.retry, sleep=sleep)
        else:
            subject = f"{channel.subject}: {len(todo)} new ({context.get('brand', '')})"
            body = mail_body(public, f"{len(todo)} new alerts as of {context.get('as_of')}:")
            error, tries = attempt(
                lambda c=channel, s=subject, b=body: send_mail(c, s, b, smtp=smtp), channel.retry, sleep=sleep
            )
        state.mark(name, [a["id"] for a in todo], error=error, attempts=tries)
        state.save()
        if error:
            log.warning(
                "alerts: %s failed after %d attempts (%s); %d alerts stay pending",
                name,
                tries,
                error,
                len(todo),
            )
        report[name] = {"sent": 0 if error else len(todo), "pending": len(todo) if error else 0, "attempts": tries,
                        "error": error}  # fmt: skip
    return report
