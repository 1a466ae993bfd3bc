// Sign-in. Against a hosted project: Supabase Auth through supabase-js, with a password
// or a magic link. On the local stack also the development sign-in (a token for an email,
// the path of `npm run token`), first; the Supabase Auth forms work there too, against the
// stack's stand-in, so they can be tried and tested.
import { useState } from "react";
import { supabaseFor } from "./auth.ts";
import type { ConsoleConfig } from "./config.ts";
import { DevelopmentSignIn, MagicLinkSignIn, PasswordSignIn } from "./SignInForms.tsx";
import "./sign-in.css";

type Method = "development" | "password" | "magic-link";

// Each method's name says how you prove who you are; the email field belongs to the form.
const METHOD_LABELS: Record<Method, string> = { development: "Development token", password: "Password", "magic-link": "Magic link" };

export function SignIn({ config, onDevelopmentToken }: { config: ConsoleConfig; onDevelopmentToken: (token: string) => void }) {
  const supabase = supabaseFor(config);
  const methods: Method[] = [...(config.devSignIn ? (["development"] as const) : []), ...(supabase ? (["password", "magic-link"] as const) : [])];
  const [method, setMethod] = useState<Method | undefined>(methods[0]);
  return (
    <section aria-labelledby="sign-in" className="sign-in">
      <h2 id="sign-in">Sign in</h2>
      {methods.length === 0 && (
        <p role="alert">This console has no publishable key: deploy a config.json with the project URL and its publishable key (README, "The admin console").</p>
      )}
      {methods.length > 1 && (
        <fieldset className="sign-in-methods">
          <legend>Sign in with</legend>
          {methods.map((m) => (
            <label key={m}>
              <input type="radio" name="sign-in-method" value={m} checked={method === m} onChange={() => setMethod(m)} />
              {METHOD_LABELS[m]}
            </label>
          ))}
        </fieldset>
      )}
      {method === "development" && <DevelopmentSignIn onToken={onDevelopmentToken} />}
      {method === "password" && supabase && <PasswordSignIn supabase={supabase} />}
      {method === "magic-link" && supabase && <MagicLinkSignIn supabase={supabase} />}
    </section>
  );
}
