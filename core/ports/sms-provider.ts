import type { Clock } from './clock.js';
import type { DeliveryListener } from './delivery-listener.js';
import type { MultipartFormat } from './multipart-format.js';
import type { ReplySender } from './reply-sender.js';
import type { ResponseListener } from './response-listener.js';
import type { SignatureVerifier, SignedRequest } from './signature-verifier.js';

export type HttpMethod = 'GET' | 'POST';

/** Where a provider calls us. */
export interface ProviderRoute {
  readonly path: string;
  /** `POST` (form body), and `GET` (query fields) for providers that can be set to use it. */
  readonly methods: readonly HttpMethod[];
}

/**
 * Reads an enabled provider's variables (a disabled provider's are not read). The app implements
 * it over the environment. A missing or bad value is noted as a configuration error naming the
 * variable, and the reading goes on with the default (`required` and `secrets` return nothing,
 * `integer` and `oneOf` their fallback), so that the start-up reports every mistake at once;
 * `invalid` throws, ending the provider's reading: call it after the other reads.
 */
export interface SettingsReader {
  readonly production: boolean;
  /** The trimmed value; undefined when unset or blank. */
  optional(name: string): string | undefined;
  /**
   * Like `optional`, refused when missing in production by a process that receives or signs
   * webhooks (not by the operator tools, which only use the database).
   */
  required(name: string): string | undefined;
  /**
   * Comma-separated secrets (two during a rotation), `aliases` read when `name` is unset; in
   * production one that is not blank is required, as by `required`. Empty when none is set.
   */
  secrets(name: string, ...aliases: string[]): string[];
  /** Comma-separated values, trimmed, blanks dropped. */
  list(name: string): string[];
  integer(name: string, fallback: number, min: number, max: number): number;
  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T;
  /** Refuses the value of `name`. */
  invalid(name: string, message: string): never;
}

/** The port adapters one provider brings. */
export interface ProviderAdapters {
  readonly verifier: SignatureVerifier;
  readonly listener: ResponseListener;
  /** For providers that deliver a long message in parts: stored, then read once whole. */
  readonly multipart?: MultipartFormat;
  /** For providers that take no reply in the webhook answer: replies go through the outbox to this. */
  readonly replies?: ReplySender;
  /** Reads the delivery receipts of the messages we sent (verified with the same verifier). */
  readonly receipts?: DeliveryListener;
}

/** A message to send to the service as the provider would (`npm run sms`). */
export interface SimulatedMessage {
  readonly from: string;
  /** Our number; the provider's configured one when absent. */
  readonly to?: string;
  readonly body: string;
  /** The provider's message id; a fresh one when absent. */
  readonly id?: string;
  /** Further fields, e.g. Twilio's `OptOutType`. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** A webhook call as the provider sends it, signed. */
export interface SimulatedRequest {
  readonly path: string;
  readonly method: HttpMethod;
  readonly headers: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, string>>;
}

/** A provider with its settings read: what the app wires. */
export interface ConfiguredProvider {
  readonly name: string;
  readonly route: ProviderRoute;
  /** Where its delivery receipts (status callbacks) come, when it sends them. */
  readonly receiptRoute?: ProviderRoute;
  /** The settings read (secrets included: for tests and diagnostics, never logged). */
  readonly settings: unknown;
  /** What to warn about at start-up (a development secret in use…). */
  readonly warnings: readonly string[];
  create(context: { readonly clock: Clock }): ProviderAdapters;
  /** The signed request the provider would send for `message` to `publicUrl`. */
  simulate(message: SimulatedMessage, publicUrl: string): SimulatedRequest;
}

/**
 * An SMS provider: a module in its own folder of `adapters/`, registered by one line in
 * `app/providers.ts` (docs/adding-a-provider.md).
 */
export interface SmsProvider {
  readonly name: string;
  /** Every variable it reads, with what it means (README, `.env.example`). */
  readonly variables: Readonly<Record<string, string>>;
  configure(env: SettingsReader): ConfiguredProvider;
  /** What the contract suites need of it, signing with the provider's official SDK (tests only). */
  kit(): Promise<ProviderKit>;
}

/** What a contract suite needs to know of one provider, to run the same cases over all of them. */
export interface ProviderKit {
  readonly name: string;
  readonly route: ProviderRoute;
  /** Environment that enables it with the kit's secret. */
  readonly env: Readonly<Record<string, string>>;
  /** The fields holding the message id and the text, and every required field. */
  readonly idField: string;
  readonly textField: string;
  readonly required: readonly string[];
  /** The `Content-Type` of the webhook's answer (null: none). */
  readonly answerType: string | null;
  verifier(secrets: readonly string[]): SignatureVerifier;
  listener(): ResponseListener;
  /** Unsigned fields of a message: `from` is E.164. */
  fields(options?: { text?: string; from?: string; extra?: Record<string, string> }): Record<string, string>;
  /** The request as the provider sends it to `publicUrl`, signed with its official SDK. */
  signed(publicUrl: string, fields: Record<string, string>, secret?: string): SignedRequest;
}
