"""Forms for the administration pages and the user's own API tokens."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import password_validation

from consilium.apps.accounts.models import Program, User
from consilium.apps.people.models import Expert, Member, Physician
from consilium.engines.casework.roles import Role
from consilium.engines.knowledge.cancer_types import tissues

STATE_CODE = re.compile(r"^[A-Z]{2}$")
NEEDS_PROGRAM = {Role.COORDINATOR.value, Role.ADMIN.value}


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text or "") if part.strip()]


def _states(text: str) -> list[str]:
    states = [s.upper() for s in _split(text)]
    bad = [s for s in states if not STATE_CODE.match(s)]
    if bad:
        raise forms.ValidationError(f"Use two-letter state codes; not understood: {', '.join(bad)}")
    return sorted(set(states))


class UserForm(forms.Form):
    """Create a user, or edit one (``instance``), with the profile their role needs."""

    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=User.ROLE_CHOICES)
    program = forms.ModelChoiceField(
        queryset=Program.objects.all(),
        required=False,
        help_text="Required for coordinators and admins: the program whose cases they manage.",
    )
    credentials = forms.CharField(
        max_length=120, required=False, help_text="Shown after the name, e.g. 'MD, PhD'."
    )
    is_active = forms.BooleanField(label="Active (may sign in)", required=False, initial=True)
    password1 = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # expert profile
    subspecialties = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The OncoTree tissues this expert reviews.",
    )
    licensure_states = forms.CharField(
        required=False, max_length=300, help_text="Two-letter codes, separated by commas: OH, PA"
    )
    institution = forms.CharField(required=False, max_length=200)
    languages = forms.CharField(
        required=False, max_length=300, initial="English", help_text="Separated by commas."
    )
    weekly_capacity = forms.IntegerField(
        min_value=0,
        max_value=100,
        initial=5,
        required=False,
        help_text="Cases a week this expert can take.",
    )
    # physician profile
    npi = forms.CharField(label="NPI", required=False, max_length=10)
    specialty = forms.CharField(required=False, max_length=100, initial="Medical oncology")
    practice = forms.CharField(required=False, max_length=200)
    physician_state = forms.CharField(label="State", required=False, max_length=2)
    # member link
    member_number = forms.CharField(
        required=False,
        max_length=40,
        help_text="Links this sign-in to the plan member with this number.",
    )

    def __init__(self, *args, instance: User | None = None, admin: User | None = None, **kwargs):
        self.instance = instance
        self.admin = admin
        self.member: Member | None = None
        if instance is not None:
            kwargs.setdefault("initial", self._initial_from(instance))
        super().__init__(*args, **kwargs)
        self.fields["subspecialties"].choices = [(t, t) for t in tissues()]
        if instance is None:
            self.fields["password1"].required = self.fields["password2"].required = True
            del self.fields["is_active"]
        else:
            self.fields["username"].disabled = True
            self.fields["password1"].label = "New password"
            self.fields["password1"].help_text = "Leave empty to keep the current password."
            self.fields["password2"].label = "New password again"
        if instance is not None and getattr(instance, "member_profile", None) is not None:
            # Already linked; the link is not changed from here.
            del self.fields["member_number"]

    @staticmethod
    def _initial_from(user: User) -> dict:
        initial = {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "role": user.role,
            "program": user.program_id,
            "credentials": user.credentials,
            "is_active": user.is_active,
        }
        expert = getattr(user, "expert_profile", None)
        if expert is not None:
            initial.update(
                subspecialties=expert.subspecialties,
                licensure_states=", ".join(expert.licensure_states),
                institution=expert.institution,
                languages=", ".join(expert.languages),
                weekly_capacity=expert.weekly_capacity,
            )
        physician = getattr(user, "physician_profile", None)
        if physician is not None:
            initial.update(
                npi=physician.npi,
                specialty=physician.specialty,
                practice=physician.practice,
                physician_state=physician.state,
            )
        return initial

    @property
    def is_self(self) -> bool:
        return (
            self.instance is not None
            and self.admin is not None
            and self.instance.pk == self.admin.pk
        )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if self.instance is None and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with that username already exists.")
        return username

    def clean_licensure_states(self) -> list[str]:
        return _states(self.cleaned_data["licensure_states"])

    def clean_languages(self) -> list[str]:
        return _split(self.cleaned_data["languages"])

    def clean_physician_state(self) -> str:
        state = self.cleaned_data["physician_state"].strip().upper()
        if state and not STATE_CODE.match(state):
            raise forms.ValidationError("Use a two-letter state code.")
        return state

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role in NEEDS_PROGRAM and not cleaned.get("program"):
            self.add_error("program", "Coordinators and admins need a program.")
        if self.is_self:
            # An admin locking themself out would leave the program without one.
            if not cleaned.get("is_active"):
                self.add_error("is_active", "You cannot deactivate your own account.")
            if role and role != Role.ADMIN.value:
                self.add_error("role", "You cannot remove your own admin role.")
        if role == Role.EXPERT.value:
            if not cleaned.get("subspecialties"):
                self.add_error("subspecialties", "Choose at least one subspecialty.")
            if not (cleaned.get("institution") or "").strip():
                self.add_error("institution", "Experts need an institution.")
            if cleaned.get("weekly_capacity") is None:
                cleaned["weekly_capacity"] = 5
        if role == Role.MEMBER.value and "member_number" in self.fields:
            self._clean_member(cleaned)
        self._clean_password(cleaned)
        return cleaned

    def _clean_member(self, cleaned: dict) -> None:
        number = (cleaned.get("member_number") or "").strip()
        if not number:
            self.add_error("member_number", "A member sign-in must be linked to a plan member.")
            return
        members = Member.objects.filter(member_number=number)
        if cleaned.get("program"):
            members = members.filter(program=cleaned["program"])
        found = list(members.select_related("user")[:2])
        if not found:
            self.add_error("member_number", "No plan member has that number.")
        elif len(found) > 1:
            self.add_error(
                "member_number", "Members of several programs have that number; choose the program."
            )
        elif found[0].user_id is not None:
            self.add_error(
                "member_number", f"That member is already linked to {found[0].user.username}."
            )
        else:
            self.member = found[0]

    def _clean_password(self, cleaned: dict) -> None:
        p1, p2 = cleaned.get("password1") or "", cleaned.get("password2") or ""
        if not p1 and not p2:
            return
        if p1 != p2:
            self.add_error("password2", "The two passwords differ.")
            return
        probe = self.instance or User(
            username=cleaned.get("username", ""),
            first_name=cleaned.get("first_name", ""),
            last_name=cleaned.get("last_name", ""),
            email=cleaned.get("email", ""),
        )
        try:
            password_validation.validate_password(p1, probe)
        except forms.ValidationError as exc:
            self.add_error("password1", exc)

    def save(self) -> User:
        """Write the user and the profile for their role (callers wrap it in a transaction)."""
        data = self.cleaned_data
        user = self.instance or User(username=data["username"])
        for name in ("first_name", "last_name", "email", "role", "program", "credentials"):
            setattr(user, name, data[name])
        if "is_active" in self.fields:
            user.is_active = data["is_active"]
        if data.get("password1"):
            user.set_password(data["password1"])
        user.save()
        self._save_profiles(user, data)
        return user

    def _save_profiles(self, user: User, data: dict) -> None:
        role = data["role"]
        expert = Expert.objects.filter(user=user).first()
        if role == Role.EXPERT.value:
            expert = expert or Expert(user=user)
            expert.subspecialties = data["subspecialties"]
            expert.licensure_states = data["licensure_states"]
            expert.institution = data["institution"].strip()
            expert.languages = data["languages"] or ["English"]
            expert.weekly_capacity = data["weekly_capacity"]
            expert.active = user.is_active
            expert.save()
        elif expert is not None and expert.active:
            # No longer an expert: keep the profile (past cases point to it), stop assignments.
            expert.active = False
            expert.save(update_fields=["active"])

        if role == Role.PHYSICIAN.value:
            physician = Physician.objects.filter(user=user).first() or Physician(user=user)
            physician.name = physician.name or f"Dr. {user.get_full_name()}"
            physician.npi = data["npi"].strip()
            physician.specialty = data["specialty"].strip() or "Medical oncology"
            physician.practice = data["practice"].strip()
            physician.state = data["physician_state"]
            physician.email = physician.email or user.email
            physician.save()

        if role == Role.MEMBER.value and self.member is not None:
            self.member.user = user
            self.member.save(update_fields=["user"])


class ProgramSettingsForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["review_due_business_days"]
        labels = {"review_due_business_days": "Business days for a review"}
        help_texts = {
            "review_due_business_days": "From the day a case is ready for review to its due "
            "date, counting Monday to Friday (1 to 30). Cases already ready keep their "
            "due date."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["review_due_business_days"]
        field.widget.attrs.update(min=1, max=30)

    def clean_review_due_business_days(self) -> int:
        days = self.cleaned_data["review_due_business_days"]
        if not 1 <= days <= 30:
            raise forms.ValidationError("Choose between 1 and 30 business days.")
        return days


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What will use it, e.g. 'Claims import' or 'Reporting script'.",
    )
