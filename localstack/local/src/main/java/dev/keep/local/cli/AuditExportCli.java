package dev.keep.local.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code keep audit export}: fetches a tenant's audit export from the API into one JSON Lines file,
 * slice after slice ({@code GET /v1/audit/export}, following {@code Keep-Next-Cursor}), each slice
 * written as it arrives, so memory holds one slice whatever the range.
 *
 * <pre>
 *   keep audit export --api URL --api-key KEY --out FILE [--from ISO-INSTANT] [--to ISO-INSTANT]
 * </pre>
 *
 * The file is written beside {@code FILE} and moved into place when the last slice is in: a file
 * at {@code FILE} is always a whole export. An auditor's key is enough (the route is read-only).
 */
public final class AuditExportCli {
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public AuditExportCli(PrintStream out) {
    this.out = out;
  }

  /** What the export held, for the caller's summary. */
  public record Result(int slices, long lines, long bytes) {}

  public int run(List<String> args) throws AuditCli.Failure {
    String api = null;
    String key = null;
    Path file = null;
    String from = null;
    String to = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (i + 1 >= args.size()) {
        throw new AttestationCli.Usage(arg + " needs a value");
      }
      String value = args.get(++i);
      switch (arg) {
        case "--api" -> api = value.replaceAll("/+$", "");
        case "--api-key" -> key = value;
        case "--out" -> file = Path.of(value);
        case "--from" -> from = instant(value, "--from");
        case "--to" -> to = instant(value, "--to");
        default -> throw new AttestationCli.Usage("unknown option for audit export: " + arg);
      }
    }
    if (api == null || key == null || file == null) {
      throw new AttestationCli.Usage("audit export needs --api URL, --api-key KEY and --out FILE");
    }
    Result result = export(api, key, from, to, file);
    out.println("exported " + result.lines() + " lines (" + result.bytes() + " bytes) in " + result.slices()
        + " slice(s) to " + file);
    return 0;
  }

  /** Fetches every slice of the export into {@code file}. */
  public Result export(String api, String key, String from, String to, Path file) throws AuditCli.Failure {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    int slices = 0;
    long lines = 0;
    long bytes = 0;
    try (OutputStream sink = Files.newOutputStream(partial)) {
      String cursor = null;
      do {
        List<String> query = new ArrayList<>();
        if (from != null) {
          query.add("from=" + URLEncoder.encode(from, StandardCharsets.UTF_8));
        }
        if (to != null) {
          query.add("to=" + URLEncoder.encode(to, StandardCharsets.UTF_8));
        }
        if (cursor != null) {
          query.add("cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        }
        URI uri = URI.create(api + "/v1/audit/export" + (query.isEmpty() ? "" : "?" + String.join("&", query)));
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
          throw new AuditCli.Failure("GET " + uri.getPath() + " answered " + response.statusCode() + ": "
              + new String(response.body(), StandardCharsets.UTF_8).lines().findFirst().orElse(""));
        }
        sink.write(response.body());
        slices++;
        bytes += response.body().length;
        for (byte b : response.body()) {
          lines += b == '\n' ? 1 : 0;
        }
        cursor = response.headers().firstValue("keep-next-cursor").orElse(null);
      } while (cursor != null);
    } catch (IOException e) {
      throw new AuditCli.Failure("export: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditCli.Failure("export: interrupted");
    }
    try {
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new AuditCli.Failure("export: " + e.getMessage());
    }
    return new Result(slices, lines, bytes);
  }

  private static String instant(String value, String option) {
    try {
      return Instant.parse(value).toString();
    } catch (DateTimeParseException e) {
      throw new AttestationCli.Usage(option + " must be an ISO-8601 instant such as 2026-12-02T12:00:00Z");
    }
  }
}
