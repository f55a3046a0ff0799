package dev.keep.local.cli;

import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.PsbtReport;
import java.util.StringJoiner;

/** Human-readable output of enclave answers; {@code --json} prints the answer itself instead. */
final class Printer {
  private Printer() {}

  static String human(EnclaveResponse response) {
    return switch (response) {
      case EnclaveResponse.HealthStatus h ->
          "enclave " + h.status() + ": " + h.mode() + " mode, " + h.keys() + (h.keys() == 1 ? " key" : " keys");
      case EnclaveResponse.KeyInfo k -> key(k);
      case EnclaveResponse.Attestation a ->
          "attestation " + a.mode() + " mode, " + java.util.Base64.getDecoder().decode(a.document()).length
              + "-byte document (verify it with: keep enclave verify)\n"
              + "audit key   " + a.auditKey() + "\n"
              + "user data   " + a.userData() + " (the audit key and " + a.policies().size() + " policies)";
      case EnclaveResponse.KeyList l -> {
        if (l.keys().isEmpty()) {
          yield "no keys (make one with: keep enclave generate-key --name NAME)";
        }
        StringJoiner lines = new StringJoiner("\n");
        lines.add(String.format("%-24s %-7s %-8s %-9s %s", "NAME", "TYPE", "NETWORK", "STATUS", "X-ONLY PUBLIC KEY"));
        for (EnclaveResponse.KeyInfo k : l.keys()) {
          lines.add(String.format("%-24s %-7s %-8s %-9s %s", k.keyId(), k.spec().type(), k.spec().network(),
              k.disabled() ? "disabled" : "active", k.xOnly()));
        }
        yield lines.toString();
      }
      case EnclaveResponse.SchnorrSigned s ->
          "signature   " + s.signature() + "\n"
              + "scheme      bip340 (BIP-340 Schnorr)\n"
              + "public key  " + s.publicKey() + " (x-only)\n"
              + "key         " + s.keyId() + (s.path() == null ? "" : " at " + s.path());
      case EnclaveResponse.EcdsaSigned s ->
          "signature   " + s.signature() + " (compact r||s, low S)\n"
              + "der         " + s.der() + "\n"
              + "recovery id " + s.recoveryId() + "\n"
              + "digest      " + s.digest() + "\n"
              + "scheme      ecdsa (RFC 6979)\n"
              + "public key  " + s.publicKey() + "\n"
              + "key         " + s.keyId() + (s.path() == null ? "" : " at " + s.path());
      case EnclaveResponse.EventSigned e -> Json.write(e.event());
      case EnclaveResponse.PsbtSigned p -> psbt(p);
      case EnclaveResponse.PolicyInfo p -> policy(p);
      case EnclaveResponse.PolicyDecision d -> decision(d);
      case EnclaveResponse.Checkpoints c -> c.checkpoints().size() + " checkpoint(s)"
          + c.checkpoints().stream().map(p -> "\n  tenant " + p.checkpoint().tenant() + " boot "
              + p.checkpoint().bootId().substring(0, 12) + "… seq " + p.checkpoint().seq()).reduce("", String::concat);
      case EnclaveResponse.Receipts r -> r.receipts().size() + " receipt(s)";
      case EnclaveResponse.Error e -> e.code() + ": " + e.message();
    };
  }

  private static String key(EnclaveResponse.KeyInfo k) {
    StringBuilder out = new StringBuilder();
    out.append("key ").append(k.keyId()).append(" (").append(k.spec().type()).append(", ").append(k.spec().network())
        .append(k.spec().allowDigests() ? ", digests allowed" : "").append(k.disabled() ? ", DISABLED" : "").append(")\n");
    if (k.path() != null) {
      out.append("  path        ").append(k.path()).append('\n');
    }
    out.append("  public key  ").append(k.publicKey()).append('\n');
    out.append("  x-only      ").append(k.xOnly()).append('\n');
    out.append("  npub        ").append(k.npub());
    if (k.xpub() != null) {
      out.append('\n').append("  xpub        ").append(k.xpub());
    }
    return out.toString();
  }

  private static String policy(EnclaveResponse.PolicyInfo p) {
    return "policy of key " + p.keyId() + ": version " + p.version() + ", hash " + p.hash() + "\n"
        + String.format("  last hour   %,d signatures, %,d sats out%n", p.signaturesLastHour(), p.satsLastHour())
        + String.format("  last day    %,d signatures, %,d sats out%n", p.signaturesLastDay(), p.satsLastDay())
        + prettyJson(p.policy());
  }

  private static String prettyJson(com.fasterxml.jackson.databind.JsonNode node) {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always writes", e);
    }
  }

  private static String decision(EnclaveResponse.PolicyDecision d) {
    StringJoiner lines = new StringJoiner("\n");
    lines.add((d.allowed() ? "ALLOW" : "DENY") + " by rule '" + d.ruleId() + "': " + d.reason());
    lines.add("  key " + d.keyId() + (d.policyHash() == null ? ", no policy"
        : ", policy version " + d.policyVersion() + " (" + d.policyHash() + ")"));
    lines.add("  approvers would sign " + d.approvalDigest());
    lines.add("  dry run: nothing signed, nothing charged");
    for (EnclaveResponse.PolicyTrace t : d.trace()) {
      lines.add(String.format("  %-5s %-24s %-18s %s", t.outcome(), t.ruleId(), t.type(), t.detail()));
    }
    return lines.toString();
  }

  private static String psbt(EnclaveResponse.PsbtSigned p) {
    PsbtReport.Summary s = p.summary();
    StringJoiner lines = new StringJoiner("\n");
    lines.add("psbt v" + s.version() + " for key " + p.keyId() + " (" + p.network() + "): signed "
        + s.signedInputs() + " of " + p.inputs().size() + (p.inputs().size() == 1 ? " input" : " inputs"));
    for (PsbtReport.Input in : p.inputs()) {
      lines.add(String.format("  input %-3d %,15d sats  %-7s %s", in.index(), in.amount(), in.scriptType(),
          in.address() == null ? "(no address)" : in.address()));
      lines.add("            " + (in.signed() ? "signed, " + in.sighash() + (in.path() == null ? "" : ", " + in.path())
          + ": " + in.reason().replaceFirst("^signed: ", "") : "not signed: " + in.reason()));
    }
    for (PsbtReport.Output out : p.outputs()) {
      lines.add(String.format("  output %-2d %,15d sats  %-7s %s  %s", out.index(), out.amount(), out.scriptType(),
          out.address() == null ? "(" + out.script() + ")" : out.address(),
          out.change() ? "change" + (out.path() == null ? "" : " " + out.path()) : "external"));
    }
    lines.add(String.format("fee %,d sats, %d vB (estimated signed), %.2f sat/vB; external %,d sats, change %,d sats",
        s.fee(), s.vsize(), s.feeRate(), s.externalTotal(), s.changeTotal()));
    if (s.txid() != null) {
      lines.add("txid " + s.txid());
    }
    lines.add("psbt " + p.psbt());
    if (p.complete()) {
      lines.add("transaction " + p.transaction());
    } else {
      lines.add("transaction not complete" + (p.inputs().stream().anyMatch(i -> !i.signed()) ? "" : " (use --finalize)"));
    }
    return lines.toString();
  }
}
