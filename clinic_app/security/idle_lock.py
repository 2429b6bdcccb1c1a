"""A signed-in session that locks itself after a period without activity.

Headless: the GUI calls `touch()` on input and asks `is_locked()` on a timer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from clinic_app.errors import SessionLockedError
from clinic_app.security.accounts import AccountService
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.types import utcnow


class UserSession:
    def __init__(
        self,
        user: AuthenticatedUser,
        idle_timeout: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if idle_timeout <= timedelta(0):
            raise ValueError("idle timeout must be positive")
        self.user = user
        self.idle_timeout = idle_timeout
        self._clock = clock
        self._last_activity = clock()
        self._locked = False

    def touch(self) -> None:
        if not self.is_locked():
            self._last_activity = self._clock()

    def is_locked(self) -> bool:
        if not self._locked and self._clock() - self._last_activity >= self.idle_timeout:
            self._locked = True
        return self._locked

    def lock(self) -> None:
        self._locked = True

    def seconds_until_lock(self) -> float:
        if self.is_locked():
            return 0.0
        remaining = self.idle_timeout - (self._clock() - self._last_activity)
        return max(0.0, remaining.total_seconds())

    def unlock(self, accounts: AccountService, password: str) -> None:
        """Only the same user unlocks; a different user signs in with a new session instead."""
        self.user = accounts.verify_session_password(self.user, password)
        self._locked = False
        self._last_activity = self._clock()

    def require_unlocked(self) -> AuthenticatedUser:
        if self.is_locked():
            raise SessionLockedError("The session is locked. Enter your password to continue.")
        return self.user
