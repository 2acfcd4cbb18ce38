"""Alerts for scheduled runs, end to end: the alerts batch against a local webhook and a local
SMTP server, both started here on 127.0.0.1 (port 0) and stopped here.

The data folder is written by the test with a known truth: a burst of negative mentions of
Lumora on the last three days (a live crisis), one care question unanswered past the SLA within
the lookback (and others that must not alert: answered, within the SLA, breached long ago), and
one paid creator's post without a disclosure within the lookback (and one with ``#ad``, one too
old). So the first run has exactly three alerts, whose ids are known in advance.
"""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import socket
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from socialreturns import batch, notify
from socialreturns.inputs import InputError
from socialreturns.organisation import alerts

END = pd.Timestamp("2025-03-01T12:00:00Z")  # the data's last timestamp: the alerts' as-of moment
DAYS = 60
CREATORS = "creators:\n  - name: Tess Light\n    brand: Lumora\n    handles: ['@tesslight']\n    author_ids: [cr_tess]\n"


def _row(post_id, hours_before, text, *, brand="Lumora", author="U1", question=False, answered_after=None):
    at = END - pd.Timedelta(hours=hours_before)
    answered = at + pd.Timedelta(hours=answered_after) if answered_after is not None else pd.NaT
    return {"post_id": post_id, "timestamp": at, "platform": "twitter", "brand": brand, "author_id": author,
            "customer_id": "", "text": text, "likes": 0, "shares": 0, "comments": 0, "reach": 10,
            "is_question": question, "answered_at": answered}  # fmt: skip


def _mentions() -> pd.DataFrame:
    rng = np.random.default_rng(20250301)
    rows, k = [], 0
    for d in range(DAYS):
        day_end = (DAYS - 1 - d) * 24 + 12  # hours before END of the day's midnight
        negative = 40 if d >= DAYS - 3 else int(rng.integers(1, 4))
        for i in range(12):
            rows.append(
                _row(f"B{k:05d}", day_end - i * 0.8 - 0.1, "Love my Lumora lamp, such a nice warm light")
            )
            k += 1
        for i in range(negative):
            rows.append(
                _row(f"B{k:05d}", day_end - i * 0.3 - 0.05, "This lamp is terrible, awful and broken. Worst")
            )
            k += 1
        rows.append(_row(f"B{k:05d}", day_end - 5, "Kestrel lamp is fine", brand="Kestrel"))
        k += 1
    rows += [
        _row("Q-late", 30, "@lumora where is my order? mail jo@example.com cc @sam_r", question=True),
        _row("Q-answered", 40, "@lumora where is my refund?", question=True, answered_after=2),
        _row("Q-fresh", 10, "@lumora can you help with the app?", question=True),
        _row("Q-old", 200, "@lumora does it dim?", question=True),
        _row("C-bare", 5, "My evening glow with @lumora, link in bio", author="cr_tess"),
        _row("C-ad", 6, "My evening glow with @lumora #ad", author="cr_tess"),
        _row("C-old", 24 * 5, "Morning light with @lumora", author="cr_tess"),
    ]
    out = pd.DataFrame(rows)
    return out[out["timestamp"] <= END].sort_values("timestamp", ignore_index=True)


EXPECTED = {
    "sla_breach": alerts.alert_id("sla_breach", "Lumora", "Q-late"),
    "disclosure_missing": alerts.alert_id("disclosure_missing", "Lumora", "C-bare"),
}


class _Webhook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        code = server.codes.pop(0) if server.codes else 200
        server.received.append(
            {"code": code, "body": json.loads(body), "auth": self.headers.get("Authorization")}
        )
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, MAIL, RCPT, DATA, QUIT, and STARTTLS
    advertised but refused (454), so the test sees the client ask for it."""

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self._say("220 localhost test SMTP")
        envelope = {"from": None, "to": []}
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            self.server.commands.append(verb)
            if verb == "EHLO":
                self.wfile.write(b"250-localhost\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
            elif verb == "STARTTLS":
                self._say("454 TLS not available")
            elif verb == "MAIL":
                envelope["from"] = command.split(":", 1)[1].strip()
                self._say("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(command.split(":", 1)[1].strip())
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 end with <CRLF>.<CRLF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk  # dot-stuffing (RFC 5321 4.5.2)
                message = email.message_from_bytes(data, policy=email.policy.default)
                self.server.messages.append({**envelope, "message": message, "text": message.get_content()})
                self._say("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not implemented")


@pytest.fixture
def webhook():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Webhook)
    server.codes, server.received = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def smtp():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.daemon_threads = True
    server.commands, server.messages = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    _mentions().to_parquet(tmp_path / "data" / "mentions.parquet", index=False)
    (tmp_path / "creators.yaml").write_text(CREATORS, encoding="utf-8")
    return tmp_path


def _batch(folder: Path, *, webhook=None, smtp=None, starttls=False, retries=2, url=None) -> batch.Batch:
    section = {"data_dir": str(folder / "data"), "brand": "Lumora", "creators_file": str(folder / "creators.yaml"),
               "sla_hours": 24, "lookback_days": 3}  # fmt: skip
    if webhook is not None or url is not None:
        url = url or f"http://127.0.0.1:{webhook.server_address[1]}/hook"
        section["webhook"] = {"url": url, "timeout_seconds": 2, "retries": retries, "backoff_seconds": 0.01,
                              "authorization_env": "ALERTS17_TEST_AUTH"}  # fmt: skip
    if smtp is not None:
        section["email"] = {"host": "127.0.0.1", "port": smtp.server_address[1], "starttls": starttls,
                            "from": "alerts@example.com", "to": ["care@example.com", "pr@example.com"],
                            "timeout_seconds": 2, "retries": 0}  # fmt: skip
    path = folder / "alerts.yaml"
    path.write_text(json.dumps({"title": "test alerts", "alerts": section}), encoding="utf-8")  # JSON is YAML
    return batch.load_batch(path)


def _run(plan: batch.Batch, folder: Path, as_of: str = "2025-03-01") -> tuple[batch.BatchResult, dict]:
    result = batch.run_batch(plan, out=folder / "reports", as_of=as_of, progress=False)
    return result, json.loads((result.folder / "alerts.json").read_text(encoding="utf-8"))


def _ids(body: dict) -> list[str]:
    return sorted(a["id"] for a in body["alerts"])


def test_compute_alerts_finds_the_known_alerts(folder):
    from socialreturns.data import load_mentions
    from socialreturns.organisation import read_creators

    found = alerts.compute_alerts(load_mentions(folder / "data"), brand="Lumora",
                                  creators=read_creators(folder / "creators.yaml"))  # fmt: skip
    assert sorted(found["kind"]) == ["crisis", "disclosure_missing", "sla_breach"]
    by_kind = found.set_index("kind")
    assert by_kind.at["sla_breach", "id"] == EXPECTED["sla_breach"]
    assert by_kind.at["disclosure_missing", "id"] == EXPECTED["disclosure_missing"]
    assert by_kind.at["sla_breach", "post_id"] == "Q-late"
    # breached when the SLA ran out: posted 30 h before END, plus 24 h
    assert by_kind.at["sla_breach", "created"] == END - pd.Timedelta(hours=6)
    # the burst starts on the 58th day (midnight 2025-02-27); hysteresis may take in a day or two before it
    start = pd.Timestamp(by_kind.at["crisis", "start"])
    assert pd.Timestamp("2025-02-24") <= start <= pd.Timestamp("2025-02-27") and by_kind.at["crisis", "live"]
    assert by_kind.at["crisis", "id"] == alerts.alert_id("crisis", "Lumora", f"{start:%Y-%m-%d}")
    text = " ".join(found["text"])
    assert "jo@example.com" not in text and "@sam_r" not in text and "[email]" in text and "@[user]" in text
    assert "@lumora" in text  # the brand's own handle stays
    # a known crisis alert that overlaps keeps its id
    known = [
        {
            "id": "crisis-known",
            "brand": "Lumora",
            "start": "2025-02-26T00:00:00",
            "end": "2025-02-28T00:00:00",
        }
    ]
    again = alerts.compute_alerts(
        load_mentions(folder / "data"), brand="Lumora", kinds=["crisis"], known=known
    )
    assert again["id"].tolist() == ["crisis-known"]


def test_alerts_are_sent_once_by_webhook_and_email(folder, webhook, smtp, monkeypatch):
    monkeypatch.setenv("ALERTS17_TEST_AUTH", "Bearer test-token")
    plan = _batch(folder, webhook=webhook, smtp=smtp)
    result, body = _run(plan, folder)
    assert result.ok and [o.name for o in result.outcomes] == ["alerts"]
    assert len(body["alerts"]) == 3 and body["new"] == 3 and all(a["new"] for a in body["alerts"])
    assert set(EXPECTED.values()) <= set(_ids(body))
    # the webhook got one POST with exactly the three, with the header from the environment
    assert len(webhook.received) == 1
    posted = webhook.received[0]
    assert sorted(a["id"] for a in posted["body"]["alerts"]) == _ids(body)
    assert posted["auth"] == "Bearer test-token" and posted["body"]["brand"] == "Lumora"
    assert "jo@example.com" not in json.dumps(posted["body"])
    # one e-mail to both recipients naming every alert; no STARTTLS asked when it is off
    assert len(smtp.messages) == 1 and "STARTTLS" not in smtp.commands
    mail = smtp.messages[0]
    assert mail["to"] == ["<care@example.com>", "<pr@example.com>"] and "3 new" in mail["message"]["Subject"]
    assert all(i in mail["text"] for i in _ids(body))
    manifest = json.loads(result.manifest.read_text())
    assert manifest["alerts"]["new"] == 3 and manifest["alerts"]["delivery"]["webhook"]["sent"] == 3

    # the next hour: nothing new, nothing sent
    result, body = _run(plan, folder)
    assert result.ok and body["new"] == 0 and len(body["alerts"]) == 3
    assert len(webhook.received) == 1 and len(smtp.messages) == 1

    # a new undisclosed post: sent once, alone
    mentions = pd.read_parquet(folder / "data" / "mentions.parquet")
    late = pd.DataFrame([_row("C-new", 1, "Cosy nights with @lumora", author="cr_tess")])
    pd.concat([mentions, late], ignore_index=True).to_parquet(
        folder / "data" / "mentions.parquet", index=False
    )
    result, body = _run(plan, folder)
    new_id = alerts.alert_id("disclosure_missing", "Lumora", "C-new")
    assert body["new"] == 1 and [a["id"] for a in body["alerts"] if a["new"]] == [new_id]
    assert [a["id"] for a in webhook.received[1]["body"]["alerts"]] == [new_id]
    assert len(webhook.received) == 2 and len(smtp.messages) == 2 and new_id in smtp.messages[1]["text"]

    # the next day's folder starts from yesterday's state: nothing is sent again
    result, body = _run(plan, folder, as_of="2025-03-02")
    assert result.ok and body["new"] == 0 and len(webhook.received) == 2 and len(smtp.messages) == 2


def test_a_failing_webhook_is_retried_with_backoff(folder, webhook, monkeypatch):
    monkeypatch.setenv("ALERTS17_TEST_AUTH", "x")
    webhook.codes[:] = [500, 200]
    result, body = _run(_batch(folder, webhook=webhook), folder)
    assert result.ok and [r["code"] for r in webhook.received] == [500, 200]
    assert webhook.received[0]["body"]["alerts"] == webhook.received[1]["body"]["alerts"]
    state = json.loads((result.folder / notify.STATE_FILE).read_text())
    channels = [a["channels"]["webhook"] for a in state["alerts"].values()]
    assert all(c["status"] == "sent" and c["attempts"] == 2 for c in channels) and len(channels) == 3


def test_a_send_that_fails_every_attempt_stays_pending_for_the_next_run(folder, webhook, monkeypatch):
    monkeypatch.setenv("ALERTS17_TEST_AUTH", "x")
    webhook.codes[:] = [503, 503]
    plan = _batch(folder, webhook=webhook, retries=1)
    result, _ = _run(plan, folder)
    assert result.ok and len(webhook.received) == 2
    manifest = json.loads(result.manifest.read_text())["alerts"]["delivery"]["webhook"]
    assert manifest == {"sent": 0, "pending": 3, "attempts": 2, "error": "HTTP 503 Service Unavailable"}
    result, body = _run(plan, folder)  # the webhook is back: the three pending go now, once
    assert body["new"] == 0 and len(webhook.received) == 3 and len(webhook.received[2]["body"]["alerts"]) == 3
    _run(plan, folder)
    assert len(webhook.received) == 3


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_webhook_does_not_fail_the_batch(folder, monkeypatch):
    monkeypatch.setenv("ALERTS17_TEST_AUTH", "x")
    result, body = _run(_batch(folder, url=f"http://127.0.0.1:{_closed_port()}/hook", retries=1), folder)
    assert result.ok and len(body["alerts"]) == 3
    delivery = json.loads(result.manifest.read_text())["alerts"]["delivery"]["webhook"]
    assert delivery["pending"] == 3 and delivery["attempts"] == 2 and "refused" in delivery["error"].lower()


def test_starttls_is_asked_for_when_configured(folder, smtp):
    result, _ = _run(_batch(folder, smtp=smtp, starttls=True), folder)
    assert result.ok and smtp.commands[:2] == ["EHLO", "STARTTLS"] and not smtp.messages  # refused: not sent
    delivery = json.loads(result.manifest.read_text())["alerts"]["delivery"]["email"]
    assert delivery["pending"] == 3 and "454" in delivery["error"]


class _StubSmtp:
    calls: list[tuple] = []

    def __init__(self, host, port, timeout):
        self.calls.append(("connect", host, port, timeout))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def ehlo(self):
        self.calls.append(("ehlo",))

    def starttls(self, context):
        self.calls.append(("starttls", context.verify_mode.name, context.check_hostname))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"]))


def test_starttls_and_login_with_credentials_from_the_environment(monkeypatch):
    monkeypatch.setenv("ALERTS17_USER", "bot")
    monkeypatch.setenv("ALERTS17_PASSWORD", "s3cret")
    config = notify.read_config({"email": {"host": "smtp.example.com", "from": "a@example.com", "to": "b@example.com",
                                           "username_env": "ALERTS17_USER", "password_env": "ALERTS17_PASSWORD"}})  # fmt: skip
    _StubSmtp.calls = []
    notify.send_mail(config.email, "s", "body", smtp=_StubSmtp)
    assert _StubSmtp.calls == [("connect", "smtp.example.com", 587, 10.0), ("ehlo",),
                               ("starttls", "CERT_REQUIRED", True), ("ehlo",), ("login", "bot", "s3cret"),
                               ("send", "b@example.com")]  # fmt: skip
    monkeypatch.delenv("ALERTS17_PASSWORD")
    with pytest.raises(notify.SendError, match="ALERTS17_PASSWORD"):
        notify.send_mail(config.email, "s", "body", smtp=_StubSmtp)


def test_backoff_doubles_and_stops_at_the_retries():
    waits, tries = [], []

    def failing():
        tries.append(1)
        raise notify.SendError("down")

    error, attempts = notify.attempt(failing, notify.Retry(1.0, 3, 0.5), sleep=waits.append)
    assert (error, attempts, waits) == ("down", 4, [0.5, 1.0, 2.0])
    waits.clear()

    def refused():
        raise notify.SendError("HTTP 404", retry=False)

    assert (
        notify.attempt(refused, notify.Retry(1.0, 3, 0.5), sleep=waits.append) == ("HTTP 404", 1)
        and not waits
    )


@pytest.mark.parametrize(
    ("section", "key"),
    [
        (
            {"email": {"host": "h", "from": "a@b.c", "to": "d@e.f", "password": "hunter2"}},
            "alerts.email.password",
        ),
        ({"webhook": {"url": "https://h.example/x", "token": "abc"}}, "alerts.webhook.token"),
        ({"webhook": {"url": "https://bot:pw@h.example/x"}}, "alerts.webhook.url"),
        ({"smtp_password": "x"}, "alerts.smtp_password"),
        ({"webhook": {"url": "ftp://h.example"}}, "alerts.webhook.url"),
        ({"kinds": ["crisis", "weather"]}, "alerts.kinds"),
        ({"email": {"host": "h", "from": "a@b.c", "to": "d@e.f", "username_env": "U"}}, "alerts.email"),
        ({"webhook": {"url": "https://h.example/x", "retries": -1}}, "alerts.webhook.retries"),
        ({"sla_hour": 4}, "alerts.sla_hour"),
    ],
)
def test_bad_config_names_the_key(section, key, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(json.dumps({"alerts": section}), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        batch.load_batch(path)
    assert caught.value.key == key and str(path) in str(caught.value)
    if "password" in json.dumps(section) or "token" in json.dumps(section):
        assert "environment variable" in str(caught.value)


def test_the_shipped_alerts_batch_loads():
    plan = batch.load_batch(ROOT / "params" / "batches" / "alerts.yaml")
    assert plan.runs == () and plan.alerts.kinds == notify.KINDS and plan.alerts.channels == {}


def test_offline_alerts_batch_with_an_outside_webhook(folder, tmp_path):
    """The command line with the network blocked (tests/offline): a webhook outside this
    machine cannot be reached, the batch still writes its alerts and exits 0."""
    _batch(folder, url="https://192.0.2.1/hook", retries=0)
    log = tmp_path / "blocked.log"
    env = {"PYTHONPATH": f"{ROOT / 'tests' / 'offline'}:{ROOT / 'lib'}", "SOCIALRETURNS_OFFLINE_LOG": str(log),
           "ALERTS17_TEST_AUTH": "x", "PATH": "/usr/bin:/bin", "SOCIALRETURNS_CACHE": "off"}  # fmt: skip
    out = subprocess.run([sys.executable, "-m", "socialreturns.cli", "run", str(folder / "alerts.yaml"), "--out",
                          str(folder / "reports"), "--as-of", "2025-03-01"], capture_output=True, text=True, env=env,
                         cwd=ROOT, check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "192.0.2.1" in log.read_text()
    state = json.loads((folder / "reports" / "alerts" / "2025-03-01" / notify.STATE_FILE).read_text())
    assert [a["channels"]["webhook"]["status"] for a in state["alerts"].values()] == ["pending"] * 3


def test_bad_data_fails_the_alerts_outcome_and_names_the_file(folder):
    (folder / "data" / "mentions.parquet").unlink()
    result = batch.run_batch(_batch(folder), out=folder / "reports", as_of="2025-03-01", progress=False)
    assert not result.ok and [(o.name, o.status) for o in result.outcomes] == [("alerts", "failed")]
    entry = json.loads(result.manifest.read_text())["alerts"]
    assert (
        entry["status"] == "failed"
        and "mentions" in entry["error"]
        and str(folder / "data") in entry["error"]
    )
    assert not (result.folder / notify.ALERTS_FILE).exists()
