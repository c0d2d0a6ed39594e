"""String enums of creditbook: members compare equal to their values ("overdue")."""

import enum


class Standing(str, enum.Enum):
    """Where an account stands on a date."""

    SETTLED = "settled"
    OUTSTANDING = "outstanding"
    OVERDUE = "overdue"

    def __str__(self) -> str:
        return str(self.value)


class AccountStatus(str, enum.Enum):
    """Whether an account takes new activity."""

    ACTIVE = "active"
    ON_HOLD = "on_hold"
    ARCHIVED = "archived"

    def __str__(self) -> str:
        return str(self.value)
