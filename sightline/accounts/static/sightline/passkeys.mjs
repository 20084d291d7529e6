// Passkeys and security keys (WebAuthn): a form marked data-passkey="create" or "get" carries
// the options the server made in data-options; its button asks the browser for a passkey,
// puts the browser's answer in the hidden "credential" field and sends the form. The server
// (py_webauthn) checks everything; this only carries bytes between the browser and the form.

const toBytes = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
};

const toText = (buffer) => {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  bytes.forEach((byte) => {
    binary += String.fromCharCode(byte);
  });
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const creationOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  user: { ...options.user, id: toBytes(options.user.id) },
  excludeCredentials: (options.excludeCredentials || []).map((item) => ({
    ...item,
    id: toBytes(item.id),
  })),
});

const requestOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  allowCredentials: (options.allowCredentials || []).map((item) => ({
    ...item,
    id: toBytes(item.id),
  })),
});

const registrationJSON = (credential) => ({
  id: credential.id,
  rawId: toText(credential.rawId),
  type: credential.type,
  response: {
    clientDataJSON: toText(credential.response.clientDataJSON),
    attestationObject: toText(credential.response.attestationObject),
    transports: credential.response.getTransports ? credential.response.getTransports() : [],
  },
  clientExtensionResults: credential.getClientExtensionResults(),
  authenticatorAttachment: credential.authenticatorAttachment,
});

const authenticationJSON = (credential) => ({
  id: credential.id,
  rawId: toText(credential.rawId),
  type: credential.type,
  response: {
    clientDataJSON: toText(credential.response.clientDataJSON),
    authenticatorData: toText(credential.response.authenticatorData),
    signature: toText(credential.response.signature),
    userHandle: credential.response.userHandle ? toText(credential.response.userHandle) : null,
  },
  clientExtensionResults: credential.getClientExtensionResults(),
  authenticatorAttachment: credential.authenticatorAttachment,
});

document.querySelectorAll("form[data-passkey]").forEach((form) => {
  if (!window.PublicKeyCredential) {
    document.querySelectorAll(".sightline-passkey-unsupported").forEach((note) => {
      note.hidden = false;
    });
    return;
  }
  const mode = form.dataset.passkey;
  const field = form.querySelector("input[name=credential]");
  form.addEventListener("submit", async (event) => {
    if (field.value) return;
    event.preventDefault();
    const options = JSON.parse(form.dataset.options);
    try {
      if (mode === "create") {
        const credential = await navigator.credentials.create({
          publicKey: creationOptions(options),
        });
        field.value = JSON.stringify(registrationJSON(credential));
      } else {
        const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
        field.value = JSON.stringify(authenticationJSON(credential));
      }
    } catch {
      // Cancelled or refused: the form is sent without an answer and the page says so.
      field.value = "";
    }
    form.submit();
  });
});
