// Business hours (pure): SLA deadlines count only working time in a time zone — working days,
// opening hours, holidays. Every function takes the instant it starts from (the services' clock).

export interface BusinessCalendar {
  /** IANA time zone, e.g. "Europe/Zurich" */
  timeZone: string;
  /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday */
  workingDays: readonly number[];
  /** opening and closing time, minutes after local midnight (e.g. 540 = 09:00, 1020 = 17:00) */
  startMinute: number;
  endMinute: number;
  /** local dates that are not working days, "YYYY-MM-DD" */
  holidays: readonly string[];
}

export const DEFAULT_CALENDAR: BusinessCalendar = {
  timeZone: 'UTC',
  workingDays: [1, 2, 3, 4, 5],
  startMinute: 9 * 60,
  endMinute: 17 * 60,
  holidays: [],
};

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** a deadline further away than this many calendar days is a calendar without working time */
const MAX_DAYS = 3 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether a time zone name is known to the runtime. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

/** The offset (local − UTC, ms) of a zone at an instant. */
function offsetAt(timeZone: string, at: number): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return local - Math.floor(at / 1000) * 1000;
}

function localDateOf(timeZone: string, at: number): LocalDate {
  const shifted = new Date(at + offsetAt(timeZone, at));
  return { y: shifted.getUTCFullYear(), m: shifted.getUTCMonth() + 1, d: shifted.getUTCDate() };
}

/** The instant of a local wall time (minutes after local midnight of a date) in a zone. */
function instantOf(timeZone: string, date: LocalDate, minute: number): number {
  const wall = Date.UTC(date.y, date.m - 1, date.d) + minute * MINUTE;
  let guess = wall - offsetAt(timeZone, wall);
  guess = wall - offsetAt(timeZone, guess);
  return guess;
}

function nextDate(date: LocalDate): LocalDate {
  const next = new Date(Date.UTC(date.y, date.m - 1, date.d) + DAY);
  return { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() };
}

const dateKey = (date: LocalDate) => `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
/** ISO weekday (1 = Monday … 7 = Sunday) of a local date */
const weekday = (date: LocalDate) => ((new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay() + 6) % 7) + 1;

function isWorkingDay(cal: BusinessCalendar, date: LocalDate): boolean {
  return cal.workingDays.includes(weekday(date)) && !cal.holidays.includes(dateKey(date));
}

/** The working intervals [open, close) from the local day of `from` on, clipped to start at `from`. */
function* workingIntervals(cal: BusinessCalendar, from: number): Generator<[number, number]> {
  let date = localDateOf(cal.timeZone, from);
  for (let i = 0; i < MAX_DAYS; i++, date = nextDate(date)) {
    if (!isWorkingDay(cal, date) || cal.endMinute <= cal.startMinute) continue;
    const open = Math.max(from, instantOf(cal.timeZone, date, cal.startMinute));
    const close = instantOf(cal.timeZone, date, cal.endMinute);
    if (open < close) yield [open, close];
  }
}

/** The instant `minutes` of working time after `start` (null: the calendar has no working time). */
export function addBusinessMinutes(start: Date, minutes: number, cal: BusinessCalendar = DEFAULT_CALENDAR): Date | null {
  let remaining = minutes * MINUTE;
  if (remaining <= 0) return new Date(start);
  for (const [open, close] of workingIntervals(cal, start.getTime())) {
    if (remaining <= close - open) return new Date(open + remaining);
    remaining -= close - open;
  }
  return null;
}

/** Minutes of working time between two instants (0 when `to` is not after `from`). */
export function businessMinutesBetween(from: Date, to: Date, cal: BusinessCalendar = DEFAULT_CALENDAR): number {
  const end = to.getTime();
  let total = 0;
  if (end <= from.getTime()) return 0;
  for (const [open, close] of workingIntervals(cal, from.getTime())) {
    if (open >= end) break;
    total += Math.min(close, end) - open;
  }
  return Math.round(total / MINUTE);
}
