"""Staff accounts: creating them, checking passwords, changing roles and access."""

from functools import cache

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.addresses import normalize_email
from app.db import utcnow
from app.extensions import db
from app.models import ROLES, SignInAttempt, SignInOutcome, User
from app.staff.services import audit
from app.staff.services.emails import queue_account_locked
from app.staff.services.passwords import password_problem


@cache
def dummy_hash() -> str:
    """Checked against when an address has no account, so both cases take the same time.

    Made on first use, not at import: scrypt is slow on purpose, and every process start
    (several gunicorn workers booting at once) would pay for it.
    """
    return generate_password_hash("not a real password, only for timing")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


def account_address(address: str) -> str:
    """The address as stored: validated, lower-cased. :raises AccountError: if it is invalid."""
    try:
        return normalize_email(address)[1]
    except ValueError as error:
        raise AccountError(f"That email address is not valid. {error}") from None


def check_password_rules(password: str, email: str) -> None:
    """:raises AccountError: when the password is too short, too common or names the account."""
    problem = password_problem(password, email, current_app.config.get("SITE_NAME", ""))
    if problem:
        raise AccountError(problem)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def all_users() -> list[User]:
    """Active accounts first, then by address."""
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.email)))


def create_user(email: str, role: str, password: str, created_by: int | None = None) -> User:
    """A new active account. :raises AccountError: bad address, role or password; address taken."""
    address = account_address(email)
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    check_password_rules(password, address)
    if find_user(address) is not None:
        raise AccountError(f"There is already an account for {address}.")
    user = User(email=address, role=role, password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        user,
        f"Created account {address} ({role})",
        {"email": {"before": None, "after": address}, "role": {"before": None, "after": role}},
        user_id=created_by,
    )
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account with this address and password, or None (whatever the reason)."""
    user = find_user(email)
    if user is None:
        check_password_hash(dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def record_sign_in(user: User, address: str, known_browser: bool) -> None:
    """Log a successful sign-in."""
    log_sign_in(SignInOutcome.ACCEPTED, user.email, user, address, known_browser)


def record_failed_sign_in(email: str, address: str, known_browser: bool) -> User | None:
    """Log a refused sign-in; returns the account the address typed belongs to, if any."""
    typed = " ".join(email.split())[:120]
    user = find_user(typed) if typed else None
    log_sign_in(SignInOutcome.REFUSED, typed, user, address, known_browser)
    return user


def notify_account_locked(user: User, address: str, failures: int, minutes: int) -> None:
    """Log the lock and tell the owner by email (sent after the caller commits)."""
    log_sign_in(SignInOutcome.LOCKED, user.email, user, address, False)
    queue_account_locked(user, failures, minutes)


def log_sign_in(outcome: str, login: str, user: User | None, address: str, known: bool) -> None:
    db.session.add(
        SignInAttempt(
            user_id=user.id if user is not None else None,
            login=login,
            outcome=outcome,
            remote_addr=address[:64],
            known_browser=known,
        )
    )


def recent_sign_ins(limit: int = 50) -> list[SignInAttempt]:
    """The newest sign-in attempts, for the audit page."""
    query = select(SignInAttempt).order_by(SignInAttempt.created_at.desc(), SignInAttempt.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def change_own_password(user: User, current: str, new: str) -> None:
    """Set a password the owner chose; other sessions end.

    :raises AccountError: wrong current password, a new one that breaks the rules, or the same.
    """
    if not check_password_hash(user.password_hash, current):
        raise AccountError("That is not your current password.")
    if current == new:
        raise AccountError("Choose a password different from the current one.")
    check_password_rules(new, user.email)
    user.password_hash = generate_password_hash(new)
    user.must_change_password = False
    user.end_sessions()
    audit.record("user.password", user, f"Changed own password ({user.email})", user_id=user.id)


def set_temporary_password(user: User, password: str, acting: User) -> None:
    """An admin gives `user` a password they must change at next sign-in; their sessions end.

    :raises AccountError: a password that breaks the rules, or one's own account.
    """
    if user.id == acting.id:
        raise AccountError("Change your own password on your account page.")
    check_password_rules(password, user.email)
    user.password_hash = generate_password_hash(password)
    user.must_change_password = True
    user.end_sessions()
    audit.record("user.temporary_password", user, f"Set a temporary password for {user.email}")


def update_access(user: User, role: str, active: bool, acting: User) -> dict:
    """Change an account's role and whether it may sign in; returns the changed fields.

    :raises AccountError: unknown role, or a change to one's own account (so an admin remains).
    """
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    if user.id == acting.id and (role != user.role or not active):
        raise AccountError("You cannot change your own role or deactivate yourself.")
    before = audit.snapshot(user, ("role", "active"))
    demoted = ROLES.index(role) < ROLES.index(user.role)
    user.role, user.active = role, active
    changes = audit.changed_fields(before, audit.snapshot(user, ("role", "active")))
    if changes:
        # Sessions signed in under a higher role, or before deactivation, must not live on. A
        # promotion leaves them be: the role is read afresh on every request anyway.
        if demoted or not active:
            user.end_sessions()
        audit.record("user.update", user, f"Changed access of {user.email}", changes)
    return changes
