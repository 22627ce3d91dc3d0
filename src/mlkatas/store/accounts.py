"""Accounts and sessions in the store. Passwords are argon2 hashes (pwdlib); a session's secret
is given to the client once and only its SHA-256 is kept, so a copy of the database signs no one in."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from pwdlib import PasswordHash
from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from mlkatas.store.actions import withdraw_all
from mlkatas.store.errors import StoreError
from mlkatas.store.models import USERNAME_MAX, Session, User, utcnow

USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,%d}" % USERNAME_MAX)
PASSWORD_MIN, PASSWORD_MAX = 8, 1024
SESSION_DAYS = 30
_hasher = PasswordHash.recommended()


class AccountError(StoreError):
    """A sign-up or sign-in that cannot be done."""


@dataclass(frozen=True)
class Signin:
    """A new session: the secret for the client (cookie or bearer token) and its CSRF token."""

    token: str
    csrf: str
    user: User


def check_new_account(username: str, password: str) -> None:
    if not USERNAME.fullmatch(username or ""):
        raise AccountError("username", f"a username is 3 to {USERNAME_MAX} letters, digits, '.', '_' or '-'")
    if not PASSWORD_MIN <= len(password or "") <= PASSWORD_MAX:
        raise AccountError("password", f"a password has {PASSWORD_MIN} to {PASSWORD_MAX} characters")


def sign_up(db: DbSession, username: str, password: str) -> Signin:
    check_new_account(username, password)
    if db.scalar(select(User.id).where(User.username_key == username.lower())) is not None:
        raise AccountError("username", f"the username {username!r} is taken", status=409)
    user = User(username=username, username_key=username.lower(), password_hash=_hasher.hash(password))
    db.add(user)
    db.flush()
    return new_session(db, user)


def sign_in(db: DbSession, username: str, password: str) -> Signin:
    """A session for the right password; AccountError (401) otherwise, the same for an unknown
    name as for a wrong password (names are not revealed)."""
    # a name that could never be signed up is not looked up (and a null character would not reach PostgreSQL)
    valid = bool(USERNAME.fullmatch(username or ""))
    user = db.scalar(select(User).where(User.username_key == username.lower())) if valid else None
    if user is None:
        _hasher.hash(password or "")  # as long as a real check: timing does not tell names apart
        raise AccountError("password", "wrong username or password", status=401)
    if not _hasher.verify(password or "", user.password_hash):
        raise AccountError("password", "wrong username or password", status=401)
    return new_session(db, user)


def new_session(db: DbSession, user: User) -> Signin:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    db.add(Session(token_hash=_digest(token), user_id=user.id, csrf_token=csrf,
                   expires_at=utcnow() + dt.timedelta(days=SESSION_DAYS)))
    return Signin(token, csrf, user)


def session_for(db: DbSession, token: str | None) -> Session | None:
    """The live session a client's secret names, or None (unknown, expired, or no secret)."""
    if not token or len(token) > 200:
        return None
    found = db.get(Session, _digest(token))
    if found is None or found.expires_at < utcnow():
        return None
    return found


def sign_out(db: DbSession, token: str | None) -> None:
    if token:
        db.execute(delete(Session).where(Session.token_hash == _digest(token)))


def delete_account(db: DbSession, user_id: int) -> None:
    """The user and everything that is theirs: katas, actions, notes, prompts, sessions (cascades)."""
    user = db.get(User, user_id)
    if user is not None:
        withdraw_all(db, user_id)  # the counts they added go with their actions
        db.delete(user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
