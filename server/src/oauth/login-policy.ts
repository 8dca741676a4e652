import type { IncomingMessage } from 'node:http';
import { interactionPolicy } from 'oidc-provider';

const { Check, base } = interactionPolicy;

/** The `login` prompt's reason when an app's `login_hint` names someone else (see below). */
export const LOGIN_HINT_MISMATCH = 'login_hint_mismatch';

/**
 * oidc-provider's default prompts (login, consent; `prompt=login` and `max_age` are its own login
 * checks) plus two login checks:
 * - `web_session`: the provider's session must belong to the person logged into the Glasshouse web
 *   session (`req.user`, set by the session middleware that runs before the provider on the
 *   authorization endpoint). Without it, a browser where alice authorized an app and bob logged in
 *   later would get a code for alice.
 * - `login_hint_mismatch` (OIDC Core §3.1.2.1): a `login_hint` naming another person than the one
 *   logged in, or nobody known, asks instead of answering for the current person (the login page
 *   offers to switch).
 *   `personOfHint` maps a hint (username or person id) to a person id.
 */
export function webSessionPolicy(personOfHint: (hint: string) => string | undefined) {
  const policy = base();
  const login = policy.get('login');
  login?.checks.add(
    new Check('web_session', 'the Glasshouse web session is not the provider session', (ctx) => {
      const webUser = (ctx.req as IncomingMessage).user;
      return webUser?.id !== ctx.oidc.session?.accountId ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  login?.checks.add(
    new Check(LOGIN_HINT_MISMATCH, 'login_hint names another person than the one logged in', (ctx) => {
      const hint = ctx.oidc.params?.['login_hint'];
      // Answered in this interaction (the person chose to continue as themselves): no new prompt.
      if (typeof hint !== 'string' || hint === '' || ctx.oidc.result?.['login']) return Check.NO_NEED_TO_PROMPT;
      // A hint naming nobody known asks too (it is not the person logged in), even before the provider has a session.
      const hinted = personOfHint(hint);
      return hinted === undefined || hinted !== ctx.oidc.session?.accountId
        ? Check.REQUEST_PROMPT
        : Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}
