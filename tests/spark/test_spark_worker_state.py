"""Per-worker caches outlive a task: the task functions are closures, which cloudpickle ships by value
(with copies of the globals they name), so their caches must be reached through module-level functions."""

from __future__ import annotations

import pandas as pd


def test_tokenize_task_keeps_one_tokenizer_across_tasks(monkeypatch):
    from pyspark import cloudpickle

    from textprofile.core.config import TokenizeConfig
    from textprofile.spark import tokens

    monkeypatch.setattr(tokens, "_TOKENIZERS", {})
    config = TokenizeConfig()
    batch = pd.DataFrame({"comment_id": ["a", "b"], "text": ["电池很耐用，屏幕清晰", "fast shipping, great battery"]})
    built, out = [], []
    for _ in range(2):  # two tasks: the worker unpickles the function afresh for each
        run = cloudpickle.loads(cloudpickle.dumps(tokens.tokenize_task(config, [])))
        out.append(pd.concat(list(run(iter([batch.copy()])))))
        built.append(tokens._TOKENIZERS[config.hash()])
    assert built[0] is built[1]
    from textprofile.text.tokenizer import Tokenizer

    local = Tokenizer(config).tokenize_chunk(batch["text"].tolist())[1]
    assert out[0]["tokens"].map(list).tolist() == out[1]["tokens"].map(list).tolist() == [list(t) for t in local]


def test_profile_task_reaches_the_workers_model_cache():
    from pyspark import cloudpickle

    from textprofile.spark import customers

    run = cloudpickle.loads(cloudpickle.dumps(customers.profile_task("m", None, None, False)))
    assert run.__globals__["_process"] is customers._process  # by reference: its ``_model`` cache is the module's
