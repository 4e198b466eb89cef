// A delivery's lifecycle, as plain types: the database columns, the workflows and the API all use these.

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';

/** What started an attempt: the delivery's own schedule, or a person (resend). */
export type AttemptTrigger = 'scheduled' | 'manual';
