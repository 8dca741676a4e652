/**
 * The OAuth 2.0 scopes of the messaging API (RFC 6749 §3.3) and what each grants. The OpenAPI
 * document and the routes read them from here.
 */
export const API_SCOPES = {
  profile: "The resource owner's id, username and display name",
  'friends:read': "The resource owner's friends",
  'messages:read': "The resource owner's threads and their messages",
  'messages:write': 'Sending messages as the resource owner, including "now playing" attachments',
  'messages:delete': "Deleting messages in the resource owner's threads",
  'threads:participants': 'Everyone on a thread, including people who never used the partner',
} as const;

export type ApiScope = keyof typeof API_SCOPES;
