"""Nothing downloads at run time: notebooks run with the network blocked."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT
from socialreturns import notebook

OFFLINE = ROOT / "tests" / "offline"


def _blocked_env(monkeypatch, tmp_path):
    marker, log = tmp_path / "marker", tmp_path / "blocked.log"
    monkeypatch.setenv("PYTHONPATH", str(OFFLINE))
    monkeypatch.setenv("SOCIALRETURNS_OFFLINE_MARKER", str(marker))
    monkeypatch.setenv("SOCIALRETURNS_OFFLINE_LOG", str(log))
    return marker, log


def test_the_blocker_blocks(monkeypatch, tmp_path):
    marker, log = _blocked_env(monkeypatch, tmp_path)
    code = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
        "except OSError as e:\n"
        "    print(type(e).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "NetworkBlocked"
    assert marker.read_text().strip() and "192.0.2.1" in log.read_text()


@pytest.mark.slow
def test_data_overview_runs_offline(monkeypatch, tmp_path):
    marker, log = _blocked_env(monkeypatch, tmp_path)
    result = notebook.execute(ROOT / "notebooks" / "data_overview.ipynb", tmp_path / "out.ipynb", html=False)
    assert result.status == "ok", result.error
    assert marker.is_file(), "the kernel did not load the network blocker"
    assert not log.exists(), log.read_text()


def test_no_download_calls_in_code():
    pattern = ("nltk.download(", "urlretrieve(", "requests.get(", "hf_hub_download(")
    for path in [*ROOT.glob("lib/**/*.py"), *ROOT.glob("notebooks/*.ipynb")]:
        text = path.read_text(encoding="utf-8")
        for p in pattern:
            assert p not in text, f"{path} calls {p}"


def test_sentiment_scoring_and_tokenizing_run_offline(monkeypatch, tmp_path):
    """The VADER lexicon, the emoji descriptions, the stop-word lists and NLTK's tweet tokenizer
    all come from installed packages: a fresh interpreter with the network blocked uses them."""
    marker, log = _blocked_env(monkeypatch, tmp_path)
    code = (
        "from nltk.tokenize import TweetTokenizer\n"
        "from socialreturns import sentiment\n"
        "out = sentiment.score(['Love the new lamp, it is great 😍', 'Worst support ever', 'Das ist nicht gut'], n_jobs=2)\n"
        "print(out['label'].tolist(), out['language'].tolist(), len(sentiment.stopwords('en')))\n"
        "print(TweetTokenizer(preserve_case=False).tokenize('@Lumora why is my order late?! #fail'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("['positive', 'negative', 'neutral'] ['en', 'und', 'de']"), lines[0]
    assert "'#fail'" in lines[1]
    assert marker.is_file() and not log.exists()
