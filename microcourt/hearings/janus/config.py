"""The configuration directory of a Janus we run ourselves (``microcourt serve`` and the tests),
generated from the JANUS_* settings: loopback-only APIs, token authentication, the
VideoRoom plugin with an ``admin_key``, the Streaming plugin (public viewers, read-only: see
broadcast.py) with an ``admin_key`` of its own and no static mountpoints, recordings under our
data directory, and nothing else loaded that a hearing does not use.

The admin secret and the plugins' admin keys are random, made once and kept in
``JANUS_DIR/secrets.json`` (mode 0600), so Django and Janus agree across restarts; the
settings MICROCOURT_JANUS_ADMIN_SECRET / MICROCOURT_JANUS_ROOM_ADMIN_KEY override them (a
Janus run elsewhere, with its own configuration).
"""

from __future__ import annotations

import json
import os
import secrets as random
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

JANUS_LIBS = Path("/usr/lib/x86_64-linux-gnu/janus")
VIDEOROOM = "janus.plugin.videoroom"
STREAMING = "janus.plugin.streaming"

# Debian's default protected folders (janus.jcfg): Janus refuses to record into these, and it
# says so only in its log, at publish time. A folder that holds our recordings is left out.
PROTECTED_FOLDERS = (
    "/bin", "/boot", "/dev", "/etc", "/initrd", "/lib", "/lib32", "/lib64", "/proc", "/sbin",
    "/sys", "/usr", "/var",
)  # fmt: skip
# Everything shipped that a hearing does not use stays unloaded.
DISABLED_PLUGINS = (
    "libjanus_audiobridge.so", "libjanus_duktape.so", "libjanus_echotest.so", "libjanus_lua.so",
    "libjanus_nosip.so", "libjanus_recordplay.so", "libjanus_sip.so", "libjanus_textroom.so",
    "libjanus_videocall.so", "libjanus_voicemail.so",
)  # fmt: skip
DISABLED_TRANSPORTS = (
    "libjanus_mqtt.so", "libjanus_nanomsg.so", "libjanus_pfunix.so", "libjanus_rabbitmq.so",
)  # fmt: skip
DISABLED_EVENTS = (
    "libjanus_gelfevh.so", "libjanus_mqttevh.so", "libjanus_nanomsgevh.so",
    "libjanus_rabbitmqevh.so", "libjanus_sampleevh.so", "libjanus_wsevh.so",
)  # fmt: skip
DISABLED_LOGGERS = ("libjanus_jsonlog.so",)


@dataclass(frozen=True)
class JanusSecrets:
    admin_secret: str
    room_admin_key: str
    # What Django itself presents to Janus on the client API (token_auth covers every
    # request); added through the admin API when Janus does not know it (client.py).
    server_token: str
    # Creates the Streaming plugin's mountpoints (only Django holds it).
    stream_admin_key: str = ""


@dataclass(frozen=True)
class JanusLayout:
    """Where a managed Janus keeps its files and listens."""

    root: Path  # JANUS_DIR
    rec_dir: Path
    http_port: int
    http_path: str
    admin_port: int
    admin_path: str
    ws_port: int
    rtp_ports: str
    ice_enforce: str  # Janus's ice_enforce_list; "" = every interface but loopback
    nat_1_1: str = ""
    debug_level: int = 4
    # The Streaming plugin binds its mountpoints' RTP ports here (JANUS_STREAM_PORTS): apart
    # from rtp_port_range, which the WebRTC side of every handle uses.
    stream_ports: str = "21000-21999"

    @property
    def conf_dir(self) -> Path:
        return self.root / "conf"

    @property
    def conf_file(self) -> Path:
        return self.conf_dir / "janus.jcfg"

    @property
    def log_file(self) -> Path:
        return self.root / "janus.log"

    def argv(self, binary: str = "janus") -> list[str]:
        return [binary, "-F", str(self.conf_dir), "-C", str(self.conf_file), "-N"]


def _port(url: str, name: str) -> tuple[int, str]:
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "ws"} or not parsed.port:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{name} must be a plain loopback URL with a port for a managed Janus, got {url!r}."
        )
    return parsed.port, parsed.path.rstrip("/") or "/"


def layout_from_settings(settings=None) -> JanusLayout:
    if settings is None:
        from django.conf import settings
    from .network import ice_enforce_value

    http_port, http_path = _port(settings.JANUS_API_URL, "MICROCOURT_JANUS_API_URL")
    admin_port, admin_path = _port(settings.JANUS_ADMIN_URL, "MICROCOURT_JANUS_ADMIN_URL")
    return JanusLayout(
        root=Path(settings.JANUS_DIR),
        rec_dir=Path(settings.JANUS_REC_DIR),
        http_port=http_port,
        http_path=http_path,
        admin_port=admin_port,
        admin_path=admin_path,
        ws_port=settings.JANUS_WS_PORT,
        rtp_ports=settings.JANUS_RTP_PORTS,
        ice_enforce=ice_enforce_value(settings),
        nat_1_1=settings.JANUS_NAT_1_1,
        stream_ports=stream_ports(settings.JANUS_STREAM_PORTS, settings.JANUS_RTP_PORTS),
    )


def _range(value: str) -> tuple[int, int]:
    low, _sep, high = value.partition("-")
    return int(low), int(high or low)


def stream_ports(value: str, rtp_ports: str) -> str:
    """JANUS_STREAM_PORTS, checked: a "low-high" range apart from Janus's rtp_port_range (a
    mountpoint bound inside it would take ports the WebRTC side expects to have)."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        low, high = _range(value)
        rtp_low, rtp_high = _range(rtp_ports)
    except ValueError:
        raise ImproperlyConfigured(
            f"MICROCOURT_JANUS_STREAM_PORTS must be a port range like 21000-21999, got {value!r}"
        ) from None
    if not 1024 <= low < high <= 65535:
        raise ImproperlyConfigured(f"MICROCOURT_JANUS_STREAM_PORTS {value!r} is not a range")
    if low <= rtp_high and rtp_low <= high:
        raise ImproperlyConfigured(
            f"MICROCOURT_JANUS_STREAM_PORTS {value!r} overlaps MICROCOURT_JANUS_RTP_PORTS "
            f"{rtp_ports!r}"
        )
    return f"{low}-{high}"


def load_secrets(
    root: Path, *, admin_secret: str = "", room_admin_key: str = "", stream_admin_key: str = ""
) -> JanusSecrets:
    """The secrets kept in ``root/secrets.json`` (made on first use), each overridden by a
    setting that is not blank."""
    path = root / "secrets.json"
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text())
    wanted = ("admin_secret", "room_admin_key", "server_token", "stream_admin_key")
    if not all(stored.get(name) for name in wanted):
        for name in wanted:
            stored.setdefault(name, random.token_urlsafe(32))
            stored[name] = stored[name] or random.token_urlsafe(32)
        root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(stored, handle)
        os.replace(tmp, path)
    return JanusSecrets(
        admin_secret=admin_secret or stored["admin_secret"],
        room_admin_key=room_admin_key or stored["room_admin_key"],
        server_token=stored["server_token"],
        stream_admin_key=stream_admin_key or stored["stream_admin_key"],
    )


def secrets_from_settings(settings=None) -> JanusSecrets:
    if settings is None:
        from django.conf import settings
    return load_secrets(
        Path(settings.JANUS_DIR),
        admin_secret=settings.JANUS_ADMIN_SECRET,
        room_admin_key=settings.JANUS_ROOM_ADMIN_KEY,
        stream_admin_key=getattr(settings, "JANUS_STREAM_ADMIN_KEY", ""),
    )


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(str(value))  # a quoted string with escapes libconfig reads


def render(sections: dict[str, dict]) -> str:
    """libconfig text (``.jcfg``) of ``{section: {key: value}}``."""
    lines = ["# Generated by microcourt (microcourt/hearings/janus/config.py): edits are lost."]
    for section, values in sections.items():
        lines.append(f"{section}: {{")
        lines.extend(f"\t{key} = {_value(value)}" for key, value in values.items())
        lines.append("}")
    return "\n".join(lines) + "\n"


def protected_folders(rec_dir: Path) -> list[str]:
    """Debian's list less any folder that contains ``rec_dir`` (a data directory under /var)."""
    rec = rec_dir.resolve()
    return [f for f in PROTECTED_FOLDERS if not rec.is_relative_to(f)]


def is_protected(path: Path, folders: list[str]) -> bool:
    return any(path.resolve().is_relative_to(f) for f in folders)


def write_config(layout: JanusLayout, secrets: JanusSecrets) -> Path:
    """Write the whole configuration directory; returns janus.jcfg."""
    conf = layout.conf_dir
    conf.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.root, 0o700)
    layout.rec_dir.mkdir(parents=True, exist_ok=True)
    folders = protected_folders(layout.rec_dir)
    # Not ice_keepalive_conncheck: Janus warns that libnice after 0.1.18 (Debian has
    # 0.1.21) then breaks connections after 50 s. A peer whose media stops is reported by
    # Janus's "media" events (receiving: false, after no_media_timer) instead.
    nat: dict[str, object] = {"ignore_mdns": True, "nice_debug": False}
    if layout.ice_enforce:
        nat["ice_enforce_list"] = layout.ice_enforce
    else:
        nat["ice_ignore_list"] = "vmnet"
    if layout.nat_1_1:
        nat["nat_1_1_mapping"] = layout.nat_1_1
    files: dict[str, dict[str, dict]] = {
        "janus.jcfg": {
            "general": {
                "configs_folder": str(conf),
                "plugins_folder": str(JANUS_LIBS / "plugins"),
                "transports_folder": str(JANUS_LIBS / "transports"),
                "events_folder": str(JANUS_LIBS / "events"),
                "loggers_folder": str(JANUS_LIBS / "loggers"),
                "log_to_stdout": False,
                "log_to_file": str(layout.log_file),
                "debug_level": layout.debug_level,
                "debug_timestamps": True,
                "debug_colors": False,
                "admin_secret": secrets.admin_secret,
                "token_auth": True,
                "server_name": "microcourt",
                "session_timeout": 60,
                "hide_dependencies": True,
                "protected_folders": folders,
            },
            "certificates": {},
            "media": {"ipv6": False, "rtp_port_range": layout.rtp_ports},
            "nat": nat,
            "plugins": {"disable": ",".join(DISABLED_PLUGINS)},
            "transports": {"disable": ",".join(DISABLED_TRANSPORTS)},
            "loggers": {"disable": ",".join(DISABLED_LOGGERS)},
            "events": {"broadcast": False, "disable": ",".join(DISABLED_EVENTS)},
        },
        "janus.transport.http.jcfg": {
            "general": {
                "json": "compact",
                "base_path": layout.http_path,
                "http": True,
                "port": layout.http_port,
                "ip": "127.0.0.1",
                "https": False,
            },
            "admin": {
                "admin_base_path": layout.admin_path,
                "admin_http": True,
                "admin_port": layout.admin_port,
                "admin_ip": "127.0.0.1",
                "admin_https": False,
            },
            "cors": {},
        },
        "janus.transport.websockets.jcfg": {
            "general": {
                "json": "compact",
                "ws": True,
                "ws_port": layout.ws_port,
                "ws_ip": "127.0.0.1",
                "wss": False,
                "ws_logging": "err,warn",
            },
            "admin": {"admin_ws": False, "admin_wss": False},
            "cors": {},
        },
        "janus.plugin.videoroom.jcfg": {
            # Rooms are made through the API only, with this key (no demo rooms).
            # rtp_forward (relaying a publisher to a Streaming mountpoint) also needs the key.
            "general": {"admin_key": secrets.room_admin_key, "lock_rtp_forward": True},
        },
        "janus.plugin.streaming.jcfg": {
            # No static mountpoints: Django creates one per publisher of a public hearing
            # while it is on the air (broadcast.py), with this key; a random port is taken
            # from stream_ports for each.
            "general": {
                "admin_key": secrets.stream_admin_key,
                "rtp_port_range": layout.stream_ports,
                "events": False,
            },
        },
    }
    for name, sections in files.items():
        path = conf / name
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(render(sections))
        os.replace(tmp, path)
    return layout.conf_file
