/** What a built-in partner (Tunewave, Reelbox) needs from its environment; the rest is its brand. */
export interface BuiltInPartnerOptions {
  /** e.g. http://localhost:3001 */
  publicUrl: string;
  /** e.g. http://localhost:3000 */
  platformUrl: string;
  /** The OAuth client secret registered on the platform (the seed's demo secret by default). */
  clientSecret: string;
  /** Signs the partner's cookies (≥ 16 characters). */
  sessionSecret: string;
  /** Bind the partner's tokens to a DPoP key (RFC 9449); default false. */
  dpop?: boolean | undefined;
}
