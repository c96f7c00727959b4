"""What ``textprofile serve`` was asked for, the API tokens, and the refusal to serve unsafely.

Settings travel to uvicorn's worker processes as JSON in an environment variable; tokens never
do (each worker reads them again from ``TEXTPROFILE_API_TOKENS`` or the tokens file).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from textprofile.core.errors import ConfigError

TOKENS_ENV = "TEXTPROFILE_API_TOKENS"
SETTINGS_ENV = "TEXTPROFILE_SERVE_SETTINGS"
MIN_TOKEN_CHARS = 16
MAX_WORKERS = 32


@dataclass(frozen=True)
class ServeSettings:
    home: str
    models: tuple[str, ...] = ()  # empty: every model with profiles, rescanned while serving
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    tokens_file: str | None = None
    no_auth: bool = False
    debug: bool = False
    warm_up: bool = True  # load models and tokenizers at start-up, not on the first /infer
    poll_seconds: float = 0.25  # how often a store file is checked for replacement
    cache_mb: int | None = None  # stores each worker reads into memory; None: cache_budget's default

    def to_env(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_env(cls) -> ServeSettings:
        raw = os.environ.get(SETTINGS_ENV)
        if not raw:
            raise ConfigError(f"{SETTINGS_ENV} is not set — start the server with: textprofile serve")
        data = json.loads(raw)
        data["models"] = tuple(data.get("models") or ())
        return cls(**data)


def memory_bytes() -> int:
    """The memory this process may use: the machine's RAM, or the container's limit if lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            total = min(total, int(Path(limit).read_text().strip()))
        except (OSError, ValueError):  # absent, or "max"
            continue
    return total


def cache_budget(settings: ServeSettings) -> int:
    """Bytes of store files each worker preloads: ``--cache-mb``, else a quarter of the memory
    shared by the workers."""
    if settings.cache_mb is not None:
        return settings.cache_mb * 1_000_000
    return memory_bytes() // 4 // settings.workers


def parse_tokens(text: str) -> list[str]:
    """Tokens separated by commas, spaces or newlines; ``#`` starts a comment line."""
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        out.extend(t for t in line.replace(",", " ").split() if t)
    return out


def load_tokens(settings: ServeSettings) -> tuple[str, ...]:
    """The API tokens from ``--tokens-file`` and ``TEXTPROFILE_API_TOKENS`` (both, if both given)."""
    tokens = parse_tokens(os.environ.get(TOKENS_ENV, ""))
    if settings.tokens_file:
        path = Path(settings.tokens_file)
        try:
            tokens += parse_tokens(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read --tokens-file {path}: {getattr(e, 'strerror', None) or e}") from None
        if not tokens:
            raise ConfigError(f"--tokens-file {path} holds no token — write one token per line")
    short = [t for t in tokens if len(t) < MIN_TOKEN_CHARS]
    if short:
        raise ConfigError(
            f"{len(short)} API token(s) shorter than {MIN_TOKEN_CHARS} characters — use long random "
            "tokens, e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return tuple(dict.fromkeys(tokens))


def is_loopback(host: str) -> bool:
    """True when every address ``host`` resolves to is a loopback address."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def check(settings: ServeSettings, tokens: tuple[str, ...]) -> None:
    """Refuse settings that would expose profiles: one ConfigError line naming the fix."""
    if not 1 <= settings.port <= 65535:
        raise ConfigError(f"--port must be between 1 and 65535 (got {settings.port})")
    if not 1 <= settings.workers <= MAX_WORKERS:
        raise ConfigError(f"--workers must be between 1 and {MAX_WORKERS} (got {settings.workers})")
    if settings.cache_mb is not None and settings.cache_mb < 0:
        raise ConfigError(f"--cache-mb must be 0 (off) or more (got {settings.cache_mb})")
    loopback = is_loopback(settings.host)
    if settings.no_auth:
        if not loopback:
            raise ConfigError(f"--no-auth is allowed only on a loopback address (not {settings.host}) — "
                              f"set {TOKENS_ENV} or pass --tokens-file FILE")
        return
    if not tokens:
        where = "on loopback without --no-auth" if loopback else f"on {settings.host}"
        raise ConfigError(f"refusing to serve {where} without API tokens — set {TOKENS_ENV} or pass "
                          "--tokens-file FILE" + ("" if not loopback else " (or --no-auth for local use)"))


def check_port_free(host: str, port: int) -> None:
    """One clear line when the address is taken (uvicorn's own message is a log record)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError as e:
            raise ConfigError(f"cannot listen on {host}:{port} ({e.strerror or e}) — pass another --port") from None
