"""Every string the code shows has an Arabic and a French translation.

Extracts the messages from the code as ``make translations`` does and compares them
with the catalogues, so a new string without its translation fails the suite.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract",
         "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0]
                for message in read_po(handle) if message.id}  # fmt: skip


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_every_string_is_translated(extracted, language):
    path = ROOT / "pbvote" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        messages = list(read_po(handle, locale=language))
    translated = set()
    for message in messages:
        forms = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        if message.id and all(forms):
            translated.add(message.id if isinstance(message.id, str) else message.id[0])
    missing = sorted(extracted - translated)
    assert not missing, f"{len(missing)} strings without {language}: {missing[:10]}"
