// A real OpenID Connect provider (panva's oidc-provider, OpenID certified) for the single
// sign-on tests, on loopback only. Started and stopped by tests/oidc/conftest.py.
//
//   node tests/oidc/provider.mjs <port> <client_id> <client_secret> <redirect_uri>[,<uri>...]
//
// Its accounts are fixed: the account id typed at its sign-in page is the `sub`, and each has
// an email, a name, and Entra-style tenant (tid) and object (oid) ids. Consent is granted
// without asking (a first-party client), so a sign-in is one form. Prints "ready <issuer>"
// once it listens.
import { generateKeyPair, exportJWK } from "jose";
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUris] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const TENANT = "6a1f2c9e-0000-4000-8000-00000000a9e1";

const ACCOUNTS = {
  "alex-sub": { email: "alex.morgan@northshire.example", name: "Alex Morgan", oid: "0b1c-alex" },
  "other-sub": { email: "alex.morgan@northshire.example", name: "Alex Morgan (another)", oid: "0b1c-other" },
  "sam-sub": { email: "sam.patel@northshire.example", name: "Sam Patel", oid: "0b1c-sam" },
  "robin-sub": { email: "robin.hale@elsewhere.example", name: "Robin Hale", oid: "0b1c-robin" },
};

const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris.split(","),
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  jwks: { keys: [jwk] },
  claims: {
    openid: ["sub", "tid", "oid"],
    email: ["email", "email_verified"],
    profile: ["name"],
  },
  // The claims go in the ID token itself, as Entra's do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ["sightline-test-cookie-key"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, sub) {
    const account = ACCOUNTS[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, email: account.email, email_verified: false, name: account.name, tid: TENANT, oid: account.oid };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
});

const server = provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
