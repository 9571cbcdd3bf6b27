/**
 * Reads when a prospect wants to be called or met, as the fields of the corpus README (`day`,
 * `week`, `date`, `time`, `time_from`, `period`, `offset`...), with the verbatim `when_text`, and
 * resolves it to `due_at` (ISO 8601, Europe/Paris) against the time the message was received.
 *
 * Hand-written rather than chrono-node: chrono's French parser took ~150 µs a message here and
 * misread forms prospects use ("après-demain 8h" as tomorrow, "le 15 à 9h" as 15:00, "at 5" as
 * 05:00, nothing for "aprem", "ds 1h" or "fin de journée").
 */

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
type Weekday = (typeof WEEKDAYS)[number];
const WEEKDAY_WORDS: Record<string, Weekday> = {
  lundi: 'monday',
  mardi: 'tuesday',
  mercredi: 'wednesday',
  jeudi: 'thursday',
  vendredi: 'friday',
  samedi: 'saturday',
  dimanche: 'sunday',
  monday: 'monday',
  tuesday: 'tuesday',
  wednesday: 'wednesday',
  thursday: 'thursday',
  friday: 'friday',
  saturday: 'saturday',
  sunday: 'sunday',
};
const WEEKDAY = Object.keys(WEEKDAY_WORDS).join('|');
const MONTHS: readonly [RegExp, number][] = [
  [/^janv?|^jan/, 1],
  [/^fe[bv]/, 2],
  [/^mar/, 3],
  [/^a[vp]r/, 4],
  [/^ma[iy]/, 5],
  [/^juin|^june?$/, 6],
  [/^juil|^jul/, 7],
  [/^ao|^aug/, 8],
  [/^sep/, 9],
  [/^oct/, 10],
  [/^nov/, 11],
  [/^dec/, 12],
];
const MONTH =
  'janvier|janv|fevrier|fevr|mars|avril|avr|mai|juin|juillet|juil|aout|septembre|sept|octobre|oct|novembre|nov|decembre|dec|january|jan|february|feb|march|april|apr|may|june|july|august|aug|september|sep|october|november'; // prettier-ignore
const NUMBER_WORDS: Record<string, number> = {
  un: 1, une: 1, a: 1, an: 1, one: 1, deux: 2, two: 2, trois: 3, three: 3, quatre: 4, four: 4, cinq: 5, five: 5,
  six: 6, dix: 10, ten: 10, quinze: 15, fifteen: 15, vingt: 20, twenty: 20, trente: 30, thirty: 30,
}; // prettier-ignore
const UNITS: readonly [RegExp, string, string][] = [
  [/^(?:min|mn|minute)/, 'PT', 'M'],
  [/^(?:h|hr|heure|hour)/, 'PT', 'H'],
  [/^(?:j|jour|day)/, 'P', 'D'],
  [/^(?:sem|week)/, 'P', 'W'],
  [/^(?:mois|month)/, 'P', 'M'],
  [/^(?:an|annee|year)/, 'P', 'Y'],
];
const PERIOD_HOURS: Record<string, number> = { morning: 9, lunch: 12, afternoon: 14, end_of_day: 17, evening: 18 };

type Fields = Record<string, unknown>;

interface Piece {
  start: number;
  end: number;
  fields: Fields;
}

// One alternative per kind; at any position the first that matches wins (longest forms first).
const CORE = new RegExp(
  [
    `(?<afterTomorrow>apres[ -]demain|day after tomorrow)`,
    `(?<today>aujourd hui|aujourdhui|today)`,
    `(?<tomorrow>demain|tomorrow|tmrw)`,
    `(?<tonight>ce soir|tonight)`,
    `(?:ce|this) (?<thisPeriod>matin|morning|afternoon|evening)`,
    `(?:next )?(?<weekday>${WEEKDAY})(?<nextWeekday> prochain| next)?`,
    `(?:la |cette |toute la |tte la |all |this |next )?(?<week>semaine|week)(?<nextWeek> pro(?:chaine)?| suivante)?`,
    `(?:en )?(?<endOfDay>fin (?:de |d )?(?:journee|aprem|apres[ -]midi)|end of (?:the )?day)`,
    `(?<afternoon>apres[ -]midi|aprem|aprm|afternoon)`,
    `(?<morning>matinee|matin|morning)`,
    `(?<lunch>midi|lunchtime|lunch|noon)`,
    `(?<evening>soiree|soir|evening)`,
    `(?:dans|ds|d ici|in|within) (?<amount>\\d+|${Object.keys(NUMBER_WORDS).join('|')}|half an?) ?(?<unit>minutes?|mins?|mn|heures?|hours?|hrs?|h|jours?|days?|j|semaines?|sem|weeks?|mois|months?|ans?|annees?|years?)`,
    `(?:dans|ds|in) (?<bareMinutes>[1-5]?\\d)(?![\\d:/h])(?! ?(?:min|mn|minutes?|heures?|hours?|hrs?|jours?|days?|j|semaines?|sem|weeks?|mois|months?|ans?|annees?|years?|%|euros?|eur))`,
    `(?<dmDay>\\d{1,2})/(?<dmMonth>\\d{1,2})(?:/\\d{2,4})?`,
    `(?<mdDay>\\d{1,2}|1er) (?<mdMonth>${MONTH})`,
    `(?<dmMonthFirst>${MONTH}) (?<dmDayAfter>\\d{1,2})(?:st|nd|rd|th)?`,
    `(?<rangeFrom>\\d{1,2})(?::(?<rangeFromMinute>\\d{2}))? ?- ?(?<rangeTo>\\d{1,2})(?::(?<rangeToMinute>\\d{2}))? ?(?<rangeAmpm>am|pm)`,
    `(?<monthAlone>janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|january|february|march|april|june|july|august|september|october|november|december)`,
    `(?<hour>\\d{1,2})(?: ?(?<ampm>am|pm)|:(?<colonMinute>\\d{2})(?: ?(?<ampm2>am|pm))?| ?(?:h|heures?)(?: ?(?<minute>\\d{2}))?)`,
    `(?:at|@|vers|around) (?<bareHour>\\d{1,2})(?![\\d/:])(?! ?(?:min|mois|jours?|ans|euros?|%))`,
    `le (?<dayOfMonth>\\d{1,2}|1er)(?![\\d/:])(?! ?(?:min|mois|jours?|ans|euros?|%|${MONTH}))`,
  ]
    .map((alternative) => `\\b${alternative}\\b`)
    .join('|'),
  'g',
);

// What stands just before a piece and changes its meaning; part of `when_text` when it applies.
const PREFIX =
  /(?:(?<notBefore>pas (?:(?:dispo\w*|disponible|libre) )?(?:avant|before)|not (?:available |free )?(?:before|until)|jusqu (?:au|a)|until)|(?<from>apres|after|a partir d[eu]|from|des|entre|between|de)|(?<to>avant|before)|(?<approx>vers|around|about|environ)|(?<at>a|at)|(?<le>le))\s*$/;
const RANGE_JOIN = /^\s*(?:-|a|au|et|to|and|jusqu a)\s*$/;
const EXCLUDE = new RegExp(
  `\\b(?:sauf|except(?: on)?) (?:le |les )?(?:${WEEKDAY})(?:(?:,| et| ou| and| or) (?:${WEEKDAY}))*\\b`,
  'g',
);
const TIME_HINT = new RegExp(`\\d|dans |ds |d ici|in |within|dem|tomorrow|tmrw|today|aujourd|soir|tonight|matin|morning|midi|noon|lunch|apr|afternoon|evening|semaine|week|fin d|end of|${WEEKDAY}|${MONTH}`); // prettier-ignore
const RESCHEDULE = /\b(?:decal|report|deplac|bouger|reschedul|move|push)\w*/;
const CONFIRM = /\bconfirm\w*/;

const hhmm = (hour: number, minute: number) => `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;

function corePiece(groups: Record<string, string | undefined>): Fields | null {
  const g = groups;
  if (g['afterTomorrow']) return { day: 'day_after_tomorrow' };
  if (g['today']) return { day: 'today' };
  if (g['tomorrow']) return { day: 'tomorrow' };
  if (g['tonight']) return { day: 'today', period: 'evening' };
  if (g['thisPeriod']) return { day: 'today', period: periodOf(g['thisPeriod']) };
  if (g['weekday']) return { day: WEEKDAY_WORDS[g['weekday']], ...(g['nextWeekday'] ? { week: 'next' } : {}) };
  if (g['week']) return { week: g['nextWeek'] ? 'next' : 'this' };
  if (g['endOfDay']) return { day: 'today', period: 'end_of_day' };
  if (g['afternoon']) return { period: 'afternoon' };
  if (g['morning']) return { period: 'morning' };
  if (g['lunch']) return { period: 'lunch' };
  if (g['evening']) return { period: 'evening' };
  if (g['unit']) return offsetOf(g['amount'] as string, g['unit']);
  if (g['dmDay']) return dateOf(Number(g['dmDay']), Number(g['dmMonth']));
  if (g['mdDay']) return dateOf(parseInt(g['mdDay'], 10), monthOf(g['mdMonth'] as string));
  if (g['dmMonthFirst']) return dateOf(Number(g['dmDayAfter']), monthOf(g['dmMonthFirst']));
  if (g['bareMinutes']) return Number(g['bareMinutes']) === 0 ? null : { offset: `PT${Number(g['bareMinutes'])}M` };
  if (g['rangeTo']) return rangeOf(g);
  if (g['monthAlone']) return { month: monthOf(g['monthAlone']) };
  if (g['hour']) return clock(g['hour'], g['minute'] ?? g['colonMinute'], g['ampm'] ?? g['ampm2']);
  if (g['bareHour']) return clock(g['bareHour'], undefined, undefined);
  const day = parseInt(g['dayOfMonth'] as string, 10);
  return day >= 1 && day <= 31 ? { day_of_month: day } : null;
}

/** "2-4pm", "10:30-11am": one am/pm for both ends; a start later than the end is in the morning ("11-1pm"). */
function rangeOf(g: Record<string, string | undefined>): Fields | null {
  const to = clock(g['rangeTo'] as string, g['rangeToMinute'], g['rangeAmpm']);
  let from = clock(g['rangeFrom'] as string, g['rangeFromMinute'], g['rangeAmpm']);
  if (from !== null && to !== null && (from['time'] as string) > (to['time'] as string)) {
    from = clock(g['rangeFrom'] as string, g['rangeFromMinute'], 'am');
  }
  return from === null || to === null ? null : { time_from: from['time'], time_to: to['time'] };
}

function periodOf(word: string): string {
  return word === 'matin' || word === 'morning' ? 'morning' : word === 'afternoon' ? 'afternoon' : 'evening';
}

function monthOf(word: string): number {
  return (MONTHS.find(([pattern]) => pattern.test(word)) as [RegExp, number])[1];
}

function dateOf(day: number, month: number): Fields | null {
  if (day < 1 || day > 31 || month < 1 || month > 12) return null;
  return { date: `--${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

function offsetOf(amount: string, unit: string): Fields {
  if (amount.startsWith('half')) return { offset: 'PT30M' }; // "half an hour"
  const n = NUMBER_WORDS[amount] ?? Number(amount);
  const [, prefix, designator] = UNITS.find(([pattern]) => pattern.test(unit)) as [RegExp, string, string];
  return { offset: `${prefix}${n}${designator}` };
}

/** A clock time; an hour from 1 to 6 is read in business hours ("at 5", "à 2h" are afternoon). */
function clock(hourText: string, minuteText: string | undefined, ampm: string | undefined): Fields | null {
  let hour = Number(hourText);
  const minute = minuteText === undefined ? 0 : Number(minuteText);
  if (ampm === 'pm' && hour < 12) hour += 12;
  else if (ampm === 'am' && hour === 12) hour = 0;
  else if (ampm === undefined && hour >= 1 && hour <= 6) hour += 12;
  if (hour > 23 || minute > 59) return null;
  return { time: hhmm(hour, minute) };
}

function withPrefix(aligned: string, piece: Piece): void {
  const prefix = PREFIX.exec(aligned.slice(Math.max(0, piece.start - 40), piece.start));
  if (prefix === null) return;
  const groups = prefix.groups as Record<string, string | undefined>;
  const time = piece.fields['time'];
  if (groups['notBefore']) piece.fields['constraint'] = 'not_before';
  else if (time === undefined) {
    // "vers midi": an approximate period. "le 15", "le 3 avril": the article belongs to a date;
    // "de demain", "à vendredi" stay out.
    if (groups['approx'] && 'period' in piece.fields) piece.fields['approx'] = true;
    else if (!(groups['le'] && ('date' in piece.fields || 'day_of_month' in piece.fields))) return;
  } else if (groups['from']) piece.fields = { time_from: time };
  else if (groups['to']) piece.fields = { time_to: time };
  else if (groups['approx']) piece.fields['approx'] = true;
  piece.start -= prefix[0].length;
}

export interface WhenFound {
  readonly fields: Fields;
  /** Span of `when_text` in the original text. */
  readonly start: number;
  readonly end: number;
}

/** Finds the time expressions of a reply. `aligned` is the one-to-one folded text (see text.ts). */
export function findWhen(aligned: string): WhenFound | null {
  if (!TIME_HINT.test(aligned)) return null; // most replies name no time: skip the rest
  const excluded: Piece[] = [];
  let text = aligned.replace(EXCLUDE, (match, at: number) => {
    const days = [...match.matchAll(new RegExp(WEEKDAY, 'g'))].map((m) => WEEKDAY_WORDS[m[0]]);
    excluded.push({ start: at, end: at + match.length, fields: { exclude_days: days } });
    return ' '.repeat(match.length);
  });
  const reschedule = RESCHEDULE.exec(text);
  if (reschedule !== null) text = ' '.repeat(reschedule.index) + text.slice(reschedule.index);
  let pieces: Piece[] = [];
  for (const match of text.matchAll(CORE)) {
    const fields = corePiece(match.groups as Record<string, string | undefined>);
    if (fields === null) continue;
    const piece = { start: match.index, end: match.index + match[0].length, fields };
    withPrefix(text, piece);
    pieces.push(piece);
  }
  pieces = joinRanges(text, pieces).concat(excluded);
  if (pieces.length === 0) return null;
  pieces.sort((a, b) => a.start - b.start);
  const fields: Fields = {};
  const options = optionsOf(text, pieces);
  if (options !== null) fields['options'] = options;
  else
    for (const piece of pieces)
      for (const [key, value] of Object.entries(piece.fields)) if (!(key in fields)) fields[key] = value;
  if (reschedule !== null) fields['action'] = 'reschedule';
  else if (CONFIRM.test(aligned)) fields['action'] = 'confirm';
  const [start, end] = spanOf(text, pieces);
  return { fields, start, end };
}

/** "14h-15h", "entre 14h et 16h": two clock times joined become a range. */
function joinRanges(text: string, pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const piece of pieces) {
    const last = out[out.length - 1];
    const lastTime = last?.fields['time'] ?? last?.fields['time_from'];
    if (
      last !== undefined &&
      lastTime !== undefined &&
      piece.fields['time'] !== undefined &&
      RANGE_JOIN.test(text.slice(last.end, piece.start))
    ) {
      const { time: _time, ...rest } = last.fields;
      last.fields = { ...rest, time_from: lastTime, time_to: piece.fields['time'] };
      last.end = piece.end;
      continue;
    }
    out.push(piece);
  }
  return out;
}

/** "lundi 10h ou mardi 15h": several slots offered, each with its day. */
function optionsOf(text: string, pieces: Piece[]): Fields[] | null {
  const slots: Fields[] = [];
  let current: Fields | null = null;
  let previousEnd = 0;
  for (const piece of pieces) {
    const isDay = 'day' in piece.fields || 'date' in piece.fields;
    if (isDay && current !== null && /\b(?:ou|or)\b/.test(text.slice(previousEnd, piece.start))) {
      slots.push(current);
      current = null;
    }
    current = { ...piece.fields, ...(current ?? {}) };
    previousEnd = piece.end;
  }
  return slots.length === 0 ? null : [...slots, current as Fields];
}

/** From the first piece to the last one that follows it closely. */
function spanOf(text: string, pieces: Piece[]): [number, number] {
  const first = pieces[0] as Piece;
  let end = first.end;
  for (const piece of pieces.slice(1)) {
    if (!/^[\s,]*(?:ou|or|et|and)?[\s,]*$/.test(text.slice(end, piece.start))) break;
    end = Math.max(end, piece.end);
  }
  return [first.start, end];
}

// ---- Resolution against the reception time, in Europe/Paris ----

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number; // 0 = monday
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Milliseconds of the last Sunday of a month (UTC midnight). */
function lastSunday(year: number, month: number): number {
  const last = Date.UTC(year, month, 0); // day 0 of the next month
  return last - new Date(last).getUTCDay() * DAY_MS;
}

/**
 * Paris's offset from UTC at an instant: summer time (+2) from the last Sunday of March to the last
 * Sunday of October, at 01:00 UTC, winter time (+1) otherwise; the EU rule, in force since 1996.
 * Computed rather than asked of Intl, which costs more than the rest of the interpreter.
 */
function parisOffset(instant: number): number {
  const year = new Date(instant).getUTCFullYear();
  const summer = instant >= lastSunday(year, 3) + HOUR_MS && instant < lastSunday(year, 10) + HOUR_MS;
  return summer ? 2 * HOUR_MS : HOUR_MS;
}

function parisWall(instant: number): Wall {
  const wall = new Date(instant + parisOffset(instant));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    weekday: (wall.getUTCDay() + 6) % 7,
  };
}

/** The instant of a Paris wall-clock time, as ISO 8601 with its offset. */
function parisIso(year: number, month: number, day: number, hour: number, minute: number): string {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const offset = parisOffset(asUtc - parisOffset(asUtc - 2 * HOUR_MS));
  const date = new Date(asUtc).toISOString().slice(0, 16);
  return `${date}:00+0${offset / HOUR_MS}:00`;
}

const DURATION = /^P(T?)(\d+(?:\.\d+)?)([MHDWY])$/;
const DURATION_MS: Record<string, number> = { M: 60_000, H: 3_600_000, D: 86_400_000, W: 604_800_000 };

/** When to act, or null when the fields do not say (an excluded day alone...). */
export function resolveDueAt(fields: Fields, receivedAt: Date): string | null {
  const slot = (Array.isArray(fields['options']) ? fields['options'][0] : fields) as Fields;
  const now = parisWall(receivedAt.getTime());
  const offset = DURATION.exec(String(slot['offset']));
  if (offset !== null) {
    const [, time, amount, unit] = offset as unknown as [string, string, string, string];
    if (time === '' && (unit === 'M' || unit === 'Y')) {
      const months = Number(amount) * (unit === 'Y' ? 12 : 1);
      return parisIso(now.year, now.month + months, now.day, 9, 0);
    }
    const at = parisWall(receivedAt.getTime() + Number(amount) * (DURATION_MS[unit] as number));
    return parisIso(at.year, at.month, at.day, at.hour, at.minute);
  }
  const clockText = (slot['time'] ?? slot['time_from']) as string | undefined;
  const [hour, minute] = (clockText ?? `${PERIOD_HOURS[String(slot['period'])] ?? 9}:0`).split(':').map(Number) as [
    number,
    number,
  ];
  const day = slot['day'] as string | undefined;
  let days: number;
  if (day === 'today') days = 0;
  else if (day === 'tomorrow') days = 1;
  else if (day === 'day_after_tomorrow') days = 2;
  else if (day !== undefined) days = (WEEKDAYS.indexOf(day as Weekday) - now.weekday + 7) % 7 || 7;
  else if (typeof slot['date'] === 'string') {
    const [month, dayOfMonth] = slot['date'].slice(2).split('-').map(Number) as [number, number];
    const passed = month < now.month || (month === now.month && dayOfMonth < now.day);
    return parisIso(now.year + (passed ? 1 : 0), month, dayOfMonth, hour, minute);
  } else if (typeof slot['day_of_month'] === 'number') {
    const passed = slot['day_of_month'] < now.day;
    return parisIso(now.year, now.month + (passed ? 1 : 0), slot['day_of_month'], hour, minute);
  } else if (slot['week'] === 'next')
    days = 7 - now.weekday; // next Monday
  else if (clockText !== undefined || slot['period'] !== undefined) {
    days = hour * 60 + minute > now.hour * 60 + now.minute ? 0 : 1; // a time that has passed means tomorrow
  } else return null;
  return parisIso(now.year, now.month, now.day + days, hour, minute);
}
