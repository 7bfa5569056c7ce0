"""One typed settings object, read from environment variables and the git-ignored .env.

Secrets are ``SecretStr``: they never appear in ``repr`` or logs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


PRODUCTION_DEFAULTS: dict[str, object] = {
    "database_url": "postgresql+psycopg://postgres@127.0.0.1:5432/merchant_assistant",
    "rasa_tracker_url": "postgresql://postgres@127.0.0.1:5432/merchant_assistant_tracker",
    "redis_url": "redis://127.0.0.1:6379/0",
    "log_format": "json",
    "gateway_workers": 2,
}
"""What PROFILE=production uses where nothing was set: this machine's PostgreSQL and Redis."""

RASA_LOCK_PREFIX = "marasa"  # Rasa wants letters and digits only
"""The production profile's prefix of Rasa's RedisLockStore keys."""


def rasa_lock_key(conversation_id: str) -> str:
    """The Redis key of Rasa's ticket lock for ``conversation_id`` (RedisLockStore:
    ``<prefix>:lock:<conversation id>``)."""
    return f"{RASA_LOCK_PREFIX}:lock:{conversation_id}"


class Settings(BaseSettings):
    """Every setting of every process; names are the env vars, upper-cased."""

    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    # Where things listen (all bind to 127.0.0.1 except what GATEWAY_HOST opens).
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    platform_port: int = 8081
    action_port: int = 5055
    rasa_port: int = 5005

    # How processes reach each other.
    platform_url: str = ""  # default: http://127.0.0.1:<platform_port>
    rasa_url: str = ""  # default: http://127.0.0.1:<rasa_port>
    gateway_url: str = ""  # how the platform calls the gateway; default http://127.0.0.1:<port>
    # The base of the pairing links merchants open in their browser (the platform serves
    # the pairing page); default: the platform URL.
    platform_public_url: str = ""

    # Storage.
    database_url: str = f"sqlite:///{VAR / 'platform.db'}"
    rasa_tracker_db: str = str(VAR / "rasa-tracker.db")
    log_dir: str = str(VAR / "log")

    # Production profile (PROFILE=production; README "Deployment"): the platform and
    # Rasa's tracker store on PostgreSQL, Rasa's lock store, the gateway's socket.io
    # fan-out and its per-conversation ordering lock on Redis; RASA_WORKERS Rasa
    # processes (0: one per core) and ACTION_WORKERS action servers. The gateway routes
    # each conversation to one worker of RASA_URLS (a stable hash of its id). Unset
    # values take PRODUCTION_DEFAULTS under that profile.
    profile: Literal["embedded", "production"] = "embedded"
    redis_url: str = ""  # empty: in-process locks and socket.io rooms (one gateway)
    rasa_tracker_url: str = ""  # SQLAlchemy URL of Rasa's tracker store; empty: RASA_TRACKER_DB
    rasa_urls: str = ""  # comma-separated Rasa workers; empty: RASA_URL
    rasa_workers: int = Field(default=0, ge=0)
    action_workers: int = Field(default=1, ge=1)
    # Gateway processes sharing its port (uvicorn workers; the kernel spreads connections):
    # more than one needs REDIS_URL (their shared state) and no Telegram polling.
    gateway_workers: int = Field(default=1, ge=1)
    metrics_token: SecretStr = SecretStr("")  # bearer token for /metrics; empty: open
    log_format: Literal["text", "json"] = "text"  # json: one JSON object per line

    # Secrets, generated into .env on first run (bot.secrets).
    rasa_token: SecretStr = SecretStr("")
    identity_secret: SecretStr = SecretStr("")  # gateway signs per-message identities
    session_secret: SecretStr = SecretStr("")  # gateway signs web-chat session tokens
    internal_token: SecretStr = SecretStr("")  # platform <-> gateway internal calls
    # Fernet key (url-safe base64 of 32 bytes): provider credentials are encrypted with it.
    credentials_key: SecretStr = SecretStr("")

    # Lifetimes.
    identity_ttl_seconds: int = 300
    session_ttl_seconds: int = 3600

    # Account pairing (repair): link lifetime; wrong 2FA codes allowed in a window before
    # the account's pairing is locked, and for how long.
    pairing_ttl_seconds: int = 600
    pairing_max_code_failures: int = 5
    pairing_code_window_seconds: int = 900
    pairing_lock_seconds: int = 900

    # Onboarding: how long the sandbox provider's QA of newly added stores takes
    # (0: only POST /internal/sandbox/onboardings/{id}/qa passes it).
    onboarding_qa_seconds: float = Field(default=8.0, ge=0)

    # The sandbox provider adapter's control endpoints (/internal/sandbox/...: set an
    # account's password or 2FA code, inject failures), for tests and demos only.
    sandbox_controls: bool = True
    # A sandbox fault with error "hang" keeps the provider call waiting this long (then it
    # fails without doing anything), standing for a provider that stopped answering.
    sandbox_hang_seconds: float = Field(default=30.0, ge=0)

    # How long the platform waits for any provider call; then the provider "is not
    # responding" and nothing is changed (under PLATFORM_TIMEOUT, so the bot can say so).
    provider_timeout_seconds: float = Field(default=5.0, gt=0)

    # How many platform requests hold a database session at once; the others wait on
    # the event loop, not in a worker thread. The pool has as many again for work outside
    # requests. (A request waiting for a pooled connection inside a worker thread can
    # deadlock: FastAPI needs another thread to serialise a holder's answer.)
    db_pool_size: int = Field(default=10, ge=1)

    # With REDIS_URL: how often each gateway process looks for SMS and Telegram messages
    # queued in Redis that nobody is handling (Redis failed between queueing and
    # handling, or the process that queued them stopped), and handles them.
    inbound_sweep_seconds: float = Field(default=10.0, gt=0)

    # Demo dashboard at "/" (pick a demo user); off in a real deployment.
    demo_mode: bool = True

    # Our own support text number (the seeds' number belongs to another company); SMS
    # conversations and alerts are sent from it.
    support_phone: str = "+15550001000"

    # Telegram (docs/channels-contract.md): "off", "webhook" (Telegram POSTs updates to
    # <gateway>/telegram/webhook with TELEGRAM_WEBHOOK_SECRET in its secret-token header)
    # or "polling" (the gateway asks getUpdates itself; local use).
    telegram_mode: str = "off"
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_api_base_url: str = "https://api.telegram.org/bot"  # python-telegram-bot base_url
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_bot_username: str = ""  # for t.me/<username>?start=<code> links
    telegram_link_ttl_seconds: int = Field(default=900, ge=60)

    # SMS through Twilio (on when the account SID and auth token are set). The webhook
    # is <SMS_PUBLIC_URL>/sms/webhook; signatures are checked against that URL, so set it
    # to the address Twilio calls when a proxy sits in front of the gateway.
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_api_base_url: str = ""  # default https://api.twilio.com (a stand-in in tests)
    sms_public_url: str = ""  # default: the gateway URL

    # Live alerts (docs/alerts-contract.md): damping, the e-mail digest window, retries.
    alert_damping_seconds: float = Field(default=120.0, ge=0)
    alert_digest_seconds: float = Field(default=300.0, ge=0)
    alert_max_attempts: int = Field(default=6, ge=1)
    alert_backoff_base_seconds: float = Field(default=5.0, ge=0)
    alert_backoff_cap_seconds: float = Field(default=600.0, ge=0)
    alert_poll_seconds: float = Field(default=2.0, gt=0)
    alert_batch: int = Field(default=50, ge=1)
    alert_dispatcher: bool = True  # the platform process runs one dispatcher loop
    sms_rate_per_number_per_hour: int = Field(default=10, ge=1)
    sms_rate_per_minute: int = Field(default=120, ge=1)
    smtp_host: str = ""  # empty: e-mail alerts wait (and are parked after the retries)
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    alert_email_from: str = "alerts@merchant-assistant.local"
    dashboard_url: str = ""  # base of the repair links in alerts; default: the gateway URL

    # Human handoff and the support console (docs/handoff-contract.md): when agents work
    # (local "HH:MM-HH:MM" in SUPPORT_TIMEZONE, on SUPPORT_DAYS, comma-separated mon..sun;
    # a range past midnight, e.g. 22:00-06:00, ends the next day), and how long an agent's
    # console session lasts.
    support_hours: str = Field(default="08:00-22:00", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
    support_timezone: str = "America/New_York"
    support_days: str = "mon,tue,wed,thu,fri,sat,sun"
    console_session_ttl_seconds: int = Field(default=43200, ge=60)
    # An agent counts as online while the console has been open within this many
    # seconds (the console beats every AGENT_HEARTBEAT_SECONDS); the console's list of
    # live conversations shows those with a user message in the last LIVE_CONVERSATION_MINUTES.
    agent_presence_seconds: int = Field(default=90, ge=5)
    agent_heartbeat_seconds: float = Field(default=30.0, gt=0)
    live_conversation_minutes: int = Field(default=30, ge=1)

    # Retention: conversation trackers, handoff transcripts and sent alerts older than
    # RETENTION_DAYS are deleted (the audit log, without message text, is kept); the
    # platform process runs the job every RETENTION_INTERVAL_HOURS (``python -m
    # bot.retention`` runs it once).
    retention_days: int = Field(default=90, ge=1)
    retention_interval_hours: float = Field(default=24.0, gt=0)
    retention_job: bool = True

    # Rasa replays every event of a conversation session on each message, so latency grows
    # with the session's length; the gateway starts a new session (slots carried over,
    # Rasa's own action_session_start) after this many user turns. 0 never does.
    rasa_session_max_turns: int = 25

    # Timeouts (seconds).
    platform_timeout: float = 8.0
    rasa_timeout: float = 30.0

    def effective_platform_url(self) -> str:
        """The platform's base URL as the actions and the gateway call it."""
        return self.platform_url or f"http://127.0.0.1:{self.platform_port}"

    def effective_gateway_url(self) -> str:
        """The gateway's base URL as the platform calls it (conversation continuations)."""
        return self.gateway_url or f"http://127.0.0.1:{self.gateway_port}"

    def effective_platform_public_url(self) -> str:
        """The base URL of the pairing links sent to merchants."""
        return (self.platform_public_url or self.effective_platform_url()).rstrip("/")

    def effective_sms_public_url(self) -> str:
        """The base URL Twilio calls the SMS webhook on (signatures are checked on it)."""
        return (self.sms_public_url or self.effective_gateway_url()).rstrip("/")

    def sms_enabled(self) -> bool:
        """Whether the SMS channel is configured (Twilio account SID and auth token)."""
        return bool(self.twilio_account_sid and self.twilio_auth_token.get_secret_value())

    def effective_dashboard_url(self) -> str:
        """The base of the repair links alerts carry."""
        return (self.dashboard_url or self.effective_gateway_url()).rstrip("/")

    def effective_rasa_url(self) -> str:
        """Rasa's base URL as the gateway calls it."""
        return self.rasa_url or f"http://127.0.0.1:{self.rasa_port}"

    def effective_rasa_urls(self) -> list[str]:
        """Every Rasa worker the gateway routes conversations to (at least one)."""
        urls = [url.strip().rstrip("/") for url in self.rasa_urls.split(",") if url.strip()]
        return urls or [self.effective_rasa_url()]

    @model_validator(mode="after")
    def _production_defaults(self) -> Settings:
        """Under PROFILE=production, what was not set takes the production default."""
        if self.profile == "production":
            for name, value in PRODUCTION_DEFAULTS.items():
                if name not in self.model_fields_set:
                    object.__setattr__(self, name, value)
        if self.gateway_workers > 1 and not self.redis_url:
            raise ValueError("GATEWAY_WORKERS above 1 needs REDIS_URL (their shared state)")
        if self.gateway_workers > 1 and self.telegram_mode == "polling":
            raise ValueError("GATEWAY_WORKERS above 1 needs TELEGRAM_MODE webhook or off")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
