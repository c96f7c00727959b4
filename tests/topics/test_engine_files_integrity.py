"""Engine files: saved without training documents, and never unpickled when tampered or foreign.

gensim saves its LdaModel with pickle, so a changed or planted file in ``engine/`` would run code
on load. ``load_model`` (and ``FittedModel.engine``) must refuse before unpickling anything.
"""

from __future__ import annotations

import pickle

import pytest
from fit_helpers import planted_docs, write_corpus

from textprofile.core.config import FitConfig
from textprofile.core.errors import IntegrityError
from textprofile.topics.fitted import load_model

SECRET = ["zqxsecretalpha", "zqxsecretbeta", "zqxsecretgamma"]


class _Payload:
    """Unpickling this creates ``marker``: proof that a file was unpickled."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _fit(workspace, engine: str, n_docs: int = 320, name: str = "m"):
    from textprofile.pipeline.fit import fit

    docs, labels = planted_docs(n_docs)
    docs = [*docs, SECRET * 2]  # one document with words seen nowhere else
    write_corpus(workspace.root, name, docs, [*labels, 0])
    fit(name, FitConfig(topics=4, engine=engine, seed=0), workspace)
    return workspace.model_dir(name)


@pytest.mark.parametrize("engine", ["tomotopy", "gensim"])
def test_engine_files_keep_no_training_documents(workspace, engine):
    folder = _fit(workspace, engine)
    engine_files = sorted(p for p in (folder / "engine").iterdir() if p.is_file())
    assert engine_files
    for p in folder.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            assert not any(s.encode() in data for s in SECRET), p
    # a corpus four times larger gives engine files of about the same size: no documents in them
    big = _fit(workspace, engine, n_docs=1280, name="big")
    size = sum(p.stat().st_size for p in engine_files)
    size_big = sum(p.stat().st_size for p in (big / "engine").iterdir() if p.is_file())
    assert size_big < size * 1.2, (size, size_big)
    if engine == "tomotopy":
        import tomotopy as tp

        mdl = tp.LDAModel.load(str(folder / "engine" / "tomotopy.bin"))
        assert len(mdl.docs) == 0


def test_tampered_gensim_engine_file_is_refused(workspace):
    folder = _fit(workspace, "gensim")
    fm = load_model(workspace, "m")
    assert fm.engine().topic_word_.shape[0] == 4  # untouched: loads
    state = folder / "engine" / "gensim.lda.state"
    data = bytearray(state.read_bytes())
    data[len(data) // 2] ^= 0x01
    state.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="gensim.lda.state does not match its checksum"):
        load_model(workspace, "m")
    with pytest.raises(IntegrityError, match="checksum"):
        fm.engine()  # a model opened before the change checks again


def test_malicious_pickle_in_gensim_engine_is_never_unpickled(workspace, tmp_path):
    from gensim.models import LdaModel

    folder = _fit(workspace, "gensim")
    target = folder / "engine" / "gensim.lda"
    # the payload does run when unpickled unchecked: the test can fail
    probe = tmp_path / "probe.lda"
    probe.write_bytes(pickle.dumps(_Payload(tmp_path / "ran-unchecked")))
    with pytest.raises(Exception):  # noqa: B017 - gensim fails after the payload ran
        LdaModel.load(str(probe))
    assert (tmp_path / "ran-unchecked").exists()

    marker = tmp_path / "pwned"
    target.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(IntegrityError, match="gensim.lda does not match its checksum"):
        load_model(workspace, "m")
    assert not marker.exists()


def test_foreign_pickle_beside_gensim_engine_files_is_refused(workspace, tmp_path):
    folder = _fit(workspace, "gensim")
    fm = load_model(workspace, "m")
    marker = tmp_path / "pwned"
    (folder / "engine" / "gensim.lda.extra").write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(IntegrityError, match="not one of the model's engine files"):
        fm.engine()
    assert not marker.exists()
