"""The people who take part in a review program."""

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    PHYSICIAN = "physician"
    COORDINATOR = "coordinator"
    EXPERT = "expert"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.MEMBER: "Member",
    Role.PHYSICIAN: "Treating physician",
    Role.COORDINATOR: "Care coordinator",
    Role.EXPERT: "Expert",
    Role.ADMIN: "Program admin",
}
