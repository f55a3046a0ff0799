package dev.keep.enclave.policy;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.stream.Collectors;

/** When a job may be signed, on the UTC clock. */
final class CalendarChecks {
  private CalendarChecks() {}

  /** [from, to), or from {@code from} to midnight and from midnight to {@code to} when it wraps. */
  static Check hours(Rule.AllowedHours rule, JobFacts job) {
    LocalTime now = LocalTime.ofInstant(job.now(), ZoneOffset.UTC);
    LocalTime from = rule.from();
    LocalTime to = rule.to();
    boolean inside =
        from.isBefore(to)
            ? !now.isBefore(from) && now.isBefore(to)
            : !now.isBefore(from) || now.isBefore(to);
    return Check.of(
        inside,
        Text.format(
            "allowed_hours: %s UTC is %s %s-%s",
            hhmmss(now), inside ? "inside" : "outside", from, to));
  }

  static Check weekdays(Rule.AllowedWeekdays rule, JobFacts job) {
    DayOfWeek today = ZonedDateTime.ofInstant(job.now(), ZoneOffset.UTC).getDayOfWeek();
    boolean allowed = rule.days().contains(today);
    return Check.of(
        allowed,
        Text.format(
            "allowed_weekdays: %s (UTC) is %sone of %s",
            name(today),
            allowed ? "" : "not ",
            rule.days().stream().map(CalendarChecks::name).collect(Collectors.joining(", "))));
  }

  private static String hhmmss(LocalTime t) {
    return Text.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
  }

  private static String name(DayOfWeek day) {
    return day.name().substring(0, 3).toLowerCase(Locale.ROOT); // mon, as the policy writes it
  }
}
