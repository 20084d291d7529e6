"""The second factor's forms: every field bounded."""

from django import forms

from .passkeys import MAX_CREDENTIAL_CHARS


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now, for example 123456.",
        max_length=12,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app")
        return code


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the 10 codes you were given when you set up your second factor, "
        "for example ABCDE-FGHJK. Each works once.",
        max_length=20,
        error_messages={
            "required": "Enter one of your recovery codes",
            "max_length": "Enter one of your recovery codes: 10 letters and numbers",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class PasskeyForm(forms.Form):
    """What the page's script fills in after the browser has made or used a passkey."""

    credential = forms.CharField(
        max_length=MAX_CREDENTIAL_CHARS,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Use your passkey or security key when your browser asks. If it does "
            "not ask, your browser may not support passkeys: use another way.",
            "max_length": "Your passkey's answer was too long. Try again.",
        },
    )


class NewPasskeyForm(PasskeyForm):
    name = forms.CharField(
        label="Name for this passkey or security key",
        help_text="So you can tell your keys apart, for example ‘Work laptop’.",
        max_length=60,
        initial="Passkey",
        error_messages={
            "required": "Enter a name for the passkey or security key",
            "max_length": "The name must be 60 characters or fewer",
        },
    )
