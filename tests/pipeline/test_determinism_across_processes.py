"""Same input + seed => same bytes, across processes: load, fit, profile build and export run in
two separate interpreters with different PYTHONHASHSEED (so set and dict-of-str iteration order
differs between them) and every output the README calls deterministic is compared byte for byte.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EN = {
    "battery": "the battery drains fast and the charger cable gets hot when charging overnight",
    "pizza": "pizza crust was soggy, cheese cold and the tomato sauce far too salty for me",
    "hotel": "hotel room was noisy, the pillow flat and reception slow at checkin time",
}
ZH = {
    "battery": "电池续航太差了，充电器发热，充一晚上还是不满",
    "pizza": "披萨饼皮太软，芝士是凉的，番茄酱太咸",
    "hotel": "酒店房间很吵，枕头太扁，前台办理入住太慢",
}
ES = "hola necesito ayuda con mi pedido porque la batería no carga y el cargador no funciona"
FR = "bonjour je suis très déçu par la livraison, le colis est arrivé en retard et abîmé"
# every command the README calls deterministic, in order; {home} is the workspace folder
COMMANDS = [
    ["load", "{export}", "--name", "det", "--channel", "review", "--jobs", "{jobs}"],
    ["fit", "det", "--topics", "3", "--seed", "0", "--iterations", "60"],
    ["profile", "build", "det"],
    ["export", "det", "--table", "profiles", "--format", "csv", "-o", "{home}/profiles.csv"],
    ["report", "det"],
]
COMPARED = [
    "corpora/det/tokens.parquet",
    "corpora/det/comments.parquet",
    "models/det/topic_word.npy",
    "models/det/doc_topics.parquet",
    "models/det/topics.json",
    "models/det/vocab.json",
    "profiles.csv",
    "reports/det/index.html",
    "reports/det/ldavis.html",
]


def write_export(path: Path) -> None:
    """~300 reviews by 40 customers: English, Chinese, mixed, and a few Spanish and French ones."""
    rng = random.Random(0)
    themes = sorted(EN)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "text", "time", "rating"])
        for i in range(300):
            t = themes[rng.randrange(3)]
            kind = rng.random()
            if kind < 0.45:
                text = EN[t] + f" order {i}"
            elif kind < 0.85:
                text = ZH[t] + f"，订单{i}"
            elif kind < 0.93:
                text = ZH[t] + " " + EN[t].split(",")[0]
            else:
                text = (ES if i % 2 else FR) + f" {i}"
            w.writerow([f"c{rng.randrange(40):02d}", text, f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}",
                        1 + rng.randrange(5)])


def run_all(home: Path, export: Path, hash_seed: str, jobs: int) -> None:
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "TEXTPROFILE_HOME"}
    env.update({"PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT), "TEXTPROFILE_HOME": str(home)})
    for cmd in COMMANDS:
        args = [a.format(home=home, export=export, jobs=jobs) for a in cmd]
        proc = subprocess.run([sys.executable, "-m", "textprofile", *args], cwd=home, env=env,
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, f"{' '.join(args)} (PYTHONHASHSEED={hash_seed}):\n{proc.stderr[-3000:]}"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("det")
    export = root / "export.csv"
    write_export(export)
    a, b = root / "a", root / "b"
    run_all(a, export, "1", jobs=1)
    run_all(b, export, "4242", jobs=2)
    return a, b


@pytest.mark.parametrize("rel", COMPARED)
def test_outputs_are_byte_identical_across_processes(two_runs, rel):
    a, b = two_runs
    assert (a / rel).is_file(), f"{rel} was not written"
    assert (a / rel).read_bytes() == (b / rel).read_bytes(), f"{rel} differs between the two processes"


def test_the_corpus_exercised_every_language_path(two_runs):
    import pyarrow.parquet as pq

    langs = set(pq.read_table(two_runs[0] / "corpora/det/tokens.parquet", columns=["lang"]).column(0).to_pylist())
    assert {"en", "zh", "mixed", "es", "fr"} <= langs
    assert "topic_0" in (two_runs[0] / "profiles.csv").read_text(encoding="utf-8").splitlines()[0]
