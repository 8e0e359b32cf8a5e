import { CronExpressionParser } from 'cron-parser';

/**
 * The schedule of an idle or warm-pool rule, in any form users bring, read as "does the current
 * minute match" (scale-down and the warm-pool top-up decide once a minute):
 *
 * - five fields (minute hour day month weekday);
 * - upstream's `idle_config` six (seconds first: its own docs use `* * 9-17 * * 1-5`): the seconds
 *   field is dropped (upstream asks whether the next fire time is within 5 s of now, which for `*`
 *   or `0` seconds is the same minute);
 * - upstream's `pool_config` EventBridge expressions: `cron(minutes hours day month weekday year)`,
 *   where a firing minute is a matching minute, and `rate(...)`, which fires all day: every minute
 *   matches ("Schedule types on EventBridge Scheduler", cron and rate expressions).
 */
export function minuteCron(cron: string): string {
  const text = cron.trim();
  if (RATE.test(text)) return '* * * * *';
  if (text.startsWith('cron(')) return fromEventBridge(text);
  const fields = fieldsOf(text);
  return (fields.length === 6 ? fields.slice(1) : fields).join(' ');
}

const fieldsOf = (cron: string): string[] => cron.trim().split(/\s+/);

const RATE = /^rate\(\s*[1-9]\d{0,5}\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const EVENTBRIDGE = /^cron\((.*)\)$/;

/**
 * EventBridge's weekday is 1-7 from Sunday, cron's 0-6 (or 7) from Sunday: numbers move down by
 * one; names (MON-FRI) mean the same in both. In `a/b` only the start `a` is a weekday.
 */
function shiftWeekday(field: string): string {
  return field
    .split(',')
    .map((part) => {
      const [range = '', step] = part.split('/');
      const shifted = range.replace(/\d+/g, (n) => String(Number(n) - 1));
      return step === undefined ? shifted : `${shifted}/${step}`;
    })
    .join(',');
}

function fromEventBridge(text: string): string {
  const inner = EVENTBRIDGE.exec(text)?.[1] ?? '';
  const fields = fieldsOf(inner);
  if (fields.length !== 6) {
    throw new Error(
      `an EventBridge cron() has six fields (minutes hours day month weekday year), got ${fields.length}`,
    );
  }
  const [minute, hour, day, month, weekday, year] = fields as [string, string, string, string, string, string];
  if (year !== '*') throw new Error('the year field of cron() must be * (a rule holds every year)');
  // Day names (WED, SAT, ...) hold these letters too: they are set aside before the check.
  if (/[LW#]/i.test(`${day} ${weekday}`.replace(/\b(SUN|MON|TUE|WED|THU|FRI|SAT)\b/gi, ''))) {
    throw new Error('L, W and # in cron() day or weekday fields are not supported: list the days instead');
  }
  const anyDay = (field: string): string => (field === '?' ? '*' : field);
  return [minute, hour, anyDay(day), month, weekday === '?' ? '*' : shiftWeekday(weekday)].join(' ');
}

/** Why a cron or time zone cannot be evaluated, or undefined when it can (checked at cold start). */
export function cronProblem(cron: string, timeZone: string): string | undefined {
  const text = cron.trim();
  const fields = fieldsOf(text).length;
  const eventBridge = text.startsWith('cron(') || text.startsWith('rate(');
  if (!eventBridge && fields !== 5 && fields !== 6) {
    return `expected five fields (minute hour day month weekday), upstream's six (seconds first), or an EventBridge cron(...) or rate(...), got ${fields} fields`;
  }
  if (text.startsWith('rate(') && !RATE.test(text)) {
    return 'expected rate(<n> minute|minutes|hour|hours|day|days)';
  }
  try {
    // cron-parser accepts an unknown zone until it evaluates; Intl refuses it here.
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    return `unknown time zone ${JSON.stringify(timeZone)} (an IANA name such as Europe/Amsterdam)`;
  }
  try {
    CronExpressionParser.parse(minuteCron(text), { tz: timeZone });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}
