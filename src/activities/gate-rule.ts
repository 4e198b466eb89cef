// One receiver-protection rule's hooks (the gate composes them: activities/endpoint-gate.ts). A file
// of its own so rules can name the type without importing the gate that lists them.
import type { DeliveryForAttempt } from '../db/attempts.repository';
import type { AttemptOutcome, SentAttempt } from '../domain/attempt-outcome';
import type { Deferral } from '../domain/delivery-wait';
import type { AttemptInput } from '../workflows/contracts';

/** What one rule does at each point of an attempt; every hook is optional. */
export interface GateRule {
  /** Before the POST: null admits (the rule may take a permit), a deferral holds the attempt back. */
  admit?(delivery: DeliveryForAttempt, input: AttemptInput, now: Date): Promise<Deferral | null>;
  /** Admission by a later rule was refused: give back what admit took. */
  cancelAdmission?(delivery: DeliveryForAttempt, input: AttemptInput): Promise<void>;
  /** After the POST (recorded or not): release and learn; answers workflow ids to wake. */
  settle?(delivery: DeliveryForAttempt, sent: SentAttempt, outcome: AttemptOutcome): Promise<string[]>;
  /** The delivery finished (succeeded, failed or cancelled): answers workflow ids to wake. */
  handOver?(deliveryId: string): Promise<string[]>;
  /** The delivery failed an attempt and now waits for its retry: answers workflow ids to wake. */
  retryScheduled?(deliveryId: string): Promise<string[]>;
}
