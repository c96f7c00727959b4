"""``textprofile serve``: the profile API over HTTP (FastAPI on uvicorn).

``app`` builds the application (``create_app``), ``routes`` the ``/v1`` endpoints, ``auth`` the
bearer-token check, ``errors`` the JSON error bodies, ``middleware`` the access log and body
limits, ``pool`` the stores that follow their files when they are replaced, ``runner`` starts
uvicorn. Nothing heavy is imported here: ``textprofile --help`` stays fast.
"""

__all__ = ["create_app", "run"]


def __getattr__(name: str):
    if name == "create_app":
        from textprofile.serve.app import create_app

        return create_app
    if name == "run":
        from textprofile.serve.runner import run

        return run
    raise AttributeError(name)
