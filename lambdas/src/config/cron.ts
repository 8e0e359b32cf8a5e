import { CronExpressionParser } from 'cron-parser';

/**
 * The cron of an idle rule, in either form users bring: five fields (minute hour day month
 * weekday), or upstream's six (seconds first: its own docs use `* * 9-17 * * 1-5`). Scale-down
 * decides once a minute, so a rule matches a minute as a whole: the seconds field is dropped
 * (upstream asks whether the next fire time is within 5 s of now, which for `*` or `0` seconds is
 * the same minute).
 */
export function minuteCron(cron: string): string {
  const fields = fieldsOf(cron);
  return (fields.length === 6 ? fields.slice(1) : fields).join(' ');
}

const fieldsOf = (cron: string): string[] => cron.trim().split(/\s+/);

/** Why a cron or time zone cannot be evaluated, or undefined when it can (checked at cold start). */
export function cronProblem(cron: string, timeZone: string): string | undefined {
  const fields = fieldsOf(cron).length;
  if (fields !== 5 && fields !== 6) {
    return `expected five fields (minute hour day month weekday) or upstream's six (seconds first), got ${fields}`;
  }
  try {
    // cron-parser accepts an unknown zone until it evaluates; Intl refuses it here.
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    return `unknown time zone ${JSON.stringify(timeZone)} (an IANA name such as Europe/Amsterdam)`;
  }
  try {
    CronExpressionParser.parse(minuteCron(cron), { tz: timeZone });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}
