/**
 * The data-deletion contract between Glasshouse and a partner (README, "Retained copies and
 * deletion requests"): the platform POSTs the form field `deletion_token` to the URI the client
 * registered as `data_deletion_uri`; the token is a JWT with this `typ`, HS256-signed with the
 * client secret (RFC 7523 §2.2), `iss` = the platform, `aud` = the client id, `sub` = the person.
 */
export const DELETION_TOKEN_TYPE = 'deletion+jwt';
/** Client metadata field (our extension to RFC 7591 §2) holding where deletion requests go. */
export const DELETION_URI_METADATA = 'data_deletion_uri';
/** Where the built-in partners receive deletion requests, relative to their public URL. */
export const DELETION_PATH = '/glasshouse/data-deletion';

/** A partner's 200 answer. `sandbox` is ours only: a real partner would not report what it kept. */
export interface DeletionAnswer {
  status: 'deleted';
  messagesDeleted: number;
  sandbox?: { messagesKept: number; sneaky: boolean };
}
