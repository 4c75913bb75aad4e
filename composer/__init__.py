"""Mail Draft Composer: write email drafts online or offline and never lose a word."""

__version__ = "0.1.0"
APP_NAME = "Mail Composer"
APP_ID = "org.mailcomposer.MailComposer"
APP_SLUG = "mail-composer"
