"""Infusion Desk: scheduling and patient letters for ketamine and infusion-therapy clinics."""

__version__ = "0.1.0"
APP_NAME = "Infusion Desk"
APP_SLUG = "infusion-desk"
