// The attempt log's daily partitions as plain values: one per UTC day of delivery creation,
// named attempts_pYYYYMMDD. No I/O.

export const DAY_MS = 24 * 3_600_000;
/** Days of partitions kept ready beyond today, so no insert ever finds none. */
export const ATTEMPT_PARTITIONS_AHEAD_DAYS = 7;

const PARTITION_NAME = /^attempts_p(\d{4})(\d{2})(\d{2})$/;

/** The start (00:00 UTC) of the day `time` falls in. */
export function utcDay(time: Date): Date {
  return new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
}

export function partitionName(day: Date): string {
  return `attempts_p${utcDay(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The day a partition holds, from its name; undefined for a table that is not one of ours. */
export function partitionDay(name: string): Date | undefined {
  const match = PARTITION_NAME.exec(name);
  if (!match) return undefined;
  const day = new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00.000Z`);
  return Number.isNaN(day.getTime()) ? undefined : day;
}

/** The days whose partitions should exist now: yesterday (clock skew between processes) to the days ahead. */
export function partitionWindow(now: Date): { from: Date; to: Date } {
  const today = utcDay(now);
  return { from: new Date(today.getTime() - DAY_MS), to: new Date(today.getTime() + ATTEMPT_PARTITIONS_AHEAD_DAYS * DAY_MS) };
}
