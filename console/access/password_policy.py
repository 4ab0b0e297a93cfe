"""The password rule in the operator's language, so a weak password is refused before it is sent.

The rule is the hub's (services/access/passwords.py); the hub checks again and has the last word
(it answers "malformed" with its reason). This copy only spares the round trip and explains the
rule in the dialogs that ask for a new password.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from services.access.passwords import MAX_LENGTH, MIN_LENGTH

# check(username, password) -> the reason the password is refused, or None.
PasswordCheck = Callable[[str, str], str | None]


def policy_text() -> str:
    return QCoreApplication.translate(
        "PasswordPolicy",
        "At least %1 characters, mixing at least two of letters, digits and other characters, "
        "and not containing the user name.",
    ).replace("%1", str(MIN_LENGTH))


def password_problem(username: str, password: str) -> str | None:
    """Why *password* is not acceptable for *username*, or None."""
    if len(password) < MIN_LENGTH:
        return QCoreApplication.translate(
            "PasswordPolicy", "The password is shorter than %1 characters."
        ).replace("%1", str(MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return QCoreApplication.translate(
            "PasswordPolicy", "The password is longer than %1 characters."
        ).replace("%1", str(MAX_LENGTH))
    if username and username.casefold() in password.casefold():
        return QCoreApplication.translate("PasswordPolicy", "The password must not contain the user name.")
    kinds = (
        any(c.isalpha() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    )
    if sum(kinds) < 2:
        return QCoreApplication.translate(
            "PasswordPolicy", "The password must mix at least two of letters, digits and other characters."
        )
    return None


def new_password_problem(username: str, password: str, repeated: str, check: PasswordCheck) -> str | None:
    """The rule's objection, or that the two entries differ, or None."""
    if password != repeated:
        return QCoreApplication.translate("PasswordPolicy", "The two passwords differ.")
    return check(username, password)
