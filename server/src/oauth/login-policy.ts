import type { IncomingMessage } from 'node:http';
import { interactionPolicy } from 'oidc-provider';

const { Check, base } = interactionPolicy;

/**
 * oidc-provider's default prompts (login, consent) plus one login check: the provider's session must
 * belong to the person logged into the Glasshouse web session (`req.user`, set by the session
 * middleware that runs before the provider on the authorization endpoint). Without it, a browser
 * where alice authorized an app and bob logged in later would get a code for alice.
 */
export function webSessionPolicy() {
  const policy = base();
  policy.get('login')?.checks.add(
    new Check('web_session', 'the Glasshouse web session is not the provider session', (ctx) => {
      const webUser = (ctx.req as IncomingMessage).user;
      return webUser?.id !== ctx.oidc.session?.accountId ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}
