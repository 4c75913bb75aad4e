"""The services an account can be of: each one declared here, once.

An entry names the service's kind (the word stored in the settings file and given to
``--kind``), its title, its adapter class (as ``"module:Class"``, imported only when
first used: ``composer.sync.adapters.adapter_class``), the ``--option`` values the
command line insists on, and the fields of its form in the accounts dialog. Everything
else reads this table: settings validation, the command line, the accounts dialog, the
window's service titles, the self-test and the tests (tests/unit/test_service_registry.py).

Plain data: the form's labels and help are in English, marked for Qt's lupdate with
``_TR`` (run it with ``-tr-function-alias QT_TR_NOOP+=_TR``: at module level that is the
empty context) and translated where ``ui/`` shows them.
"""

from __future__ import annotations

from dataclasses import dataclass


def _TR(text: str) -> str:
    return text


@dataclass(frozen=True)
class Field:
    """One field of an account's form."""

    key: str            # base_url, username, address, secret, or option:<name>
    label: str          # in English; the dialog shows it translated
    help: str = ""
    default: str = ""
    required: bool = True
    #: (value, label in English): a fixed set of values, shown as a drop-down
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Service:
    kind: str
    #: the service by its own name (a brand name: not translated)
    title: str
    #: ``"module:Class"`` of its adapter, imported on first use
    adapter: str
    #: the account form, in the order shown
    fields: tuple[Field, ...]
    #: ``--option`` keys an account of this kind cannot do without
    required_options: tuple[str, ...] = ()
    #: False when the account has mail servers (in its options) instead of one URL
    base_url: bool = True


_PASSWORD = Field("secret", _TR("Password"), _TR("Kept in your system keychain, never in a file"))

SERVICES: tuple[Service, ...] = (
    Service(
        "datamotion", "DataMotion SecureMail",
        "composer.sync.adapters.datamotion:DataMotionAdapter",
        (
            Field("base_url", _TR("Service address"), _TR("Usually https://ssl.datamotion.com/"
                  "SecureMessagingApi"), "https://ssl.datamotion.com/SecureMessagingApi"),
            Field("username", _TR("User ID or email"),
                  _TR("What you sign in to SecureMail with")),
            _PASSWORD,
            Field("address", _TR("Your email address"), _TR("Shown as the sender"),
                  required=False),
        ),
    ),
    Service(
        "onlyoffice", "ONLYOFFICE Mail",
        "composer.sync.adapters.onlyoffice:OnlyofficeAdapter",
        (
            Field("base_url", _TR("Portal address"),
                  _TR("For example https://yourcompany.onlyoffice.com")),
            Field("username", _TR("Sign-in email")),
            _PASSWORD,
            Field("address", _TR("Send from"), _TR("One of your mailboxes in this portal")),
        ),
    ),
    Service(
        "exante", "Exante",
        "composer.sync.adapters.exante:ExanteAdapter",
        (
            Field("base_url", _TR("API address"), _TR("Usually https://dev.exante.app"),
                  "https://dev.exante.app"),
            Field("secret", _TR("API key"),
                  _TR("Starts with ex_live_; create one under API keys")),
            Field("option:from_account_id", _TR("Send-from account ID"),
                  _TR("The ID of the connected mailbox to send from")),
            Field("address", _TR("Your email address"), required=False),
        ),
        required_options=("from_account_id",),
    ),
    Service(
        "mykaarma", "myKaarma Communications",
        "composer.sync.adapters.mykaarma:MykaarmaAdapter",
        (
            Field("base_url", _TR("API address"),
                  _TR("Usually https://api.mykaarma.com/communications"),
                  "https://api.mykaarma.com/communications"),
            Field("username", _TR("Service user name")),
            _PASSWORD,
            Field("option:department_uuid", _TR("Department ID")),
            Field("option:user_uuid", _TR("Your user ID"),
                  _TR("Leave as 'default' for the department's default user"), "default"),
            Field("address", _TR("Your email address"), required=False),
        ),
        required_options=("department_uuid", "user_uuid"),
    ),
    Service(
        "rebilly", "Rebilly",
        "composer.sync.adapters.rebilly:RebillyAdapter",
        (
            Field("base_url", _TR("API address"), _TR("https://api.rebilly.com, or "
                  "https://api-sandbox.rebilly.com for testing"), "https://api.rebilly.com"),
            Field("secret", _TR("Secret API key"),
                  _TR("Kept in your system keychain, never in a file")),
            Field("option:organization_id", _TR("Organization ID")),
            Field("address", _TR("Send from"), _TR("The sender address for your messages")),
        ),
        required_options=("organization_id",),
    ),
    Service(
        "imap", "IMAP and SMTP (any mail provider)",
        "composer.sync.adapters.imap:ImapAdapter",
        (
            Field("address", _TR("Your email address"),
                  _TR("The servers below are guessed from it when left empty")),
            Field("secret", _TR("Password"), _TR("Your mail password or an app password; "
                  "kept in your system keychain, never in a file")),
            Field("option:display_name", _TR("Your name"), _TR("Shown to recipients"),
                  required=False),
            Field("username", _TR("User name"), _TR("Leave empty to sign in with your email "
                  "address"), required=False),
            Field("option:imap_host", _TR("IMAP server"), _TR("Empty: imap.<your domain>"),
                  required=False),
            Field("option:imap_port", _TR("IMAP port"),
                  _TR("Empty: 993 (TLS) or 143 (STARTTLS)"), required=False),
            Field("option:imap_security", _TR("IMAP security"), default="tls",
                  choices=(("tls", _TR("TLS (usually port 993)")),
                           ("starttls", _TR("STARTTLS (usually port 143)")))),
            Field("option:smtp_host", _TR("SMTP server"), _TR("Empty: smtp.<your domain>"),
                  required=False),
            Field("option:smtp_port", _TR("SMTP port"),
                  _TR("Empty: 587 (STARTTLS) or 465 (TLS)"), required=False),
            Field("option:smtp_security", _TR("SMTP security"), default="starttls",
                  choices=(("starttls", _TR("STARTTLS (usually port 587)")),
                           ("tls", _TR("TLS (usually port 465)")))),
            Field("option:save_sent", _TR("After sending"), default="yes",
                  choices=(("yes", _TR("Keep a copy in Sent")),
                           ("no", _TR("Keep no copy (the server already does)")))),
        ),
        base_url=False,
    ),
)

BY_KIND: dict[str, Service] = {s.kind: s for s in SERVICES}
#: every kind, in the order the accounts dialog offers them
KINDS: tuple[str, ...] = tuple(BY_KIND)


def service(kind: str) -> Service:
    """The entry of ``kind`` (KeyError for a kind nobody registered)."""
    return BY_KIND[kind]
